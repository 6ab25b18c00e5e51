//go:build !linux

package parley_test

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal: a child of a test that dies is left to end by itself.
func dieWithParent(*exec.Cmd) {}
