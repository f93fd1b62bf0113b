// Command mailcheck tells why email does not arrive, and what to change.
package main

import (
	"os"

	"github.com/mailcheck/mailcheck/internal/cli"
	"github.com/mailcheck/mailcheck/internal/iostreams"
)

func main() { os.Exit(cli.Main(os.Args[1:], iostreams.System())) }
