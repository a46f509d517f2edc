// Command clinic-check validates a clinic file (make dist runs it before building the clinic
// in). With -name it prints only the clinic's name, for installer metadata.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/patient-companion/companion/clinic"
)

func main() {
	name := flag.Bool("name", false, "print only the clinic's name")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: clinic-check [-name] path/to/clinic.json")
		os.Exit(2)
	}
	c, err := clinic.Load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *name {
		fmt.Println(c.Name)
		return
	}
	fmt.Printf("%s: ok (portal %v, locked %v)\n", c.Name, c.Portal != nil, c.Locked)
}
