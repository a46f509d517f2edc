// Command clinic-check validates a clinic file (used by make dist before building it in).
package main

import (
	"fmt"
	"os"

	"github.com/patient-companion/companion/clinic"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: clinic-check path/to/clinic.json")
		os.Exit(2)
	}
	c, err := clinic.Load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("%s: ok (portal %v, locked %v)\n", c.Name, c.Portal != nil, c.Locked)
}
