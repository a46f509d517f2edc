//go:build race

package main

// raceBuild: this test binary was built with -race, so a binary built for a test is too
// (its packages are then in the build cache already).
const raceBuild = true
