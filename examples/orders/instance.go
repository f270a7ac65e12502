package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// runInstance runs one instance of the orders or payments service until
// SIGTERM or SIGINT (or ctx ends), then closes it gracefully: it stops
// receiving and lets in-flight messages finish. It prints "ready" on stdout
// once the service listens.
func runInstance(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal, while it closes, ends the process
	obs, err := newObservability(opts)
	if err != nil {
		return err
	}
	var c counters
	_, closeAll, err := startServices(ctx, opts, obs, &c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ready role=%s pid=%d\n", opts.role, os.Getpid())
	<-ctx.Done()
	fmt.Fprintf(stderr, "orders: %s instance stopping\n", opts.role)
	closeAll()
	fmt.Fprintf(stdout, "stopped role=%s created=%d paid=%d views=%d duplicates=%d handlers started=%d finished=%d cut=%d\n",
		opts.role, c.created.Load(), c.paid.Load(), c.views.Load(), c.duplicates,
		c.handlers.started.Load(), c.handlers.finished.Load(), c.handlers.cut.Load())
	return obs.shutdown(context.Background())
}
