//go:build !linux

package main

import "os/exec"

// dieWithParent: only Linux has a parent-death signal; elsewhere NSD is
// stopped by Close alone.
func dieWithParent(*exec.Cmd) {}
