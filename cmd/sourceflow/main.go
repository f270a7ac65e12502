package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Config{}, os.Args[1:])
	stop()
	os.Exit(code)
}
