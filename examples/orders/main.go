// Command orders runs SourceFlow's order flow end to end: an orders service
// and a payments service exchange CreateOrder, ProcessPayment, OrderCreated
// and PaymentProcessed through a transport, and an order-summary view
// follows every order. It runs in process on gochannel with no setup, or on
// AWS SQS/SNS with -transport aws (the default when AWS_ENDPOINT_URL is set).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// options are the program's flags.
type options struct {
	orders      int
	transport   string
	timeout     time.Duration
	senders     int
	printTraces bool
	logLevel    slog.Level
	metricsAddr string
	linger      time.Duration
	kmsKey      string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("orders", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	defaultTransport := "gochannel"
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		defaultTransport = "aws"
	}
	fs.IntVar(&o.orders, "n", 100, "number of orders to process")
	fs.StringVar(&o.transport, "transport", defaultTransport, "gochannel or aws")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for every order to complete")
	fs.IntVar(&o.senders, "senders", 8, "concurrent senders")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelWarn, "log level of the services' slog logger (debug, info, warn, error)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics (Prometheus) and /healthz on this address, e.g. :9090")
	fs.DurationVar(&o.linger, "linger", 0, "keep serving /metrics and /healthz this long after the run")
	fs.StringVar(&o.kmsKey, "kms-key", "", "with -transport aws: KMS key id, ARN or alias to envelope-encrypt message bodies")
	fs.BoolVar(&o.printTraces, "print-traces", false, "record spans and print the trace ids (one trace per order)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.orders < 1 || o.senders < 1 {
		return o, fmt.Errorf("-n and -senders must be at least 1")
	}
	if o.transport != "gochannel" && o.transport != "aws" {
		return o, fmt.Errorf("-transport %q: want gochannel or aws", o.transport)
	}
	if o.kmsKey != "" && o.transport != "aws" {
		return o, fmt.Errorf("-kms-key needs -transport aws")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "orders:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	obs, err := newObservability(opts)
	if err != nil {
		fmt.Fprintln(stderr, "orders:", err)
		return 1
	}
	res, err := runFlow(ctx, opts, obs)
	if err != nil {
		fmt.Fprintln(stderr, "orders:", err)
		return 1
	}
	fmt.Fprint(stdout, res)
	if res.completed != opts.orders {
		fmt.Fprintf(stderr, "orders: %d of %d orders did not complete\n", opts.orders-res.completed, opts.orders)
		return 1
	}
	return 0
}
