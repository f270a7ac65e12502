package main

import (
	"os"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func main() {
	ctx, stop := signalContext()
	code := cli.Run(ctx, cli.Config{}, os.Args[1:])
	stop()
	os.Exit(code)
}
