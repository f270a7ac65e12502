// Command orders runs SourceFlow's order flow end to end: an orders service
// and a payments service exchange CreateOrder, ProcessPayment, OrderCreated
// and PaymentProcessed through a transport, and an order-summary view
// follows every entity. It runs in process on gochannel with no setup, on
// AWS SQS/SNS with -transport aws (the default when AWS_ENDPOINT_URL is set),
// or on PostgreSQL tables with -transport postgres -dsn ... (package sqlbus).
//
// State lives in memory by default, or in SQLite, PostgreSQL or DynamoDB
// with -store; with a SQL store each handled message's idempotency record,
// saga state, view model and sent commands commit in one transaction, and
// with -store dynamodb a saga's state, the events it raises (through the
// DynamoDB outbox, package cqrs/dynamostore) and the idempotency record are
// written by one TransactWriteItems (the tables are created, validated or
// assumed as -provisioning says). With -role (on -transport aws and a
// store other than memory) the program runs one part of the flow, so that many processes share the work:
// -role orders and -role payments run a service instance until SIGTERM or
// SIGINT, and -role driver sends the orders and waits until the shared
// order-summary view shows every one paid. The driver's orders are numbered
// 1..n; order i costs 99+i and belongs to entity <prefix>customer-NNNN, NNNN
// being (i-1) mod -entities + 1 (or, without -entities, to its own entity
// <prefix>order-NNNNN). It refuses a store where an earlier run with the
// same -prefix left the summary of its first entity: give each run its own.
//
// On AWS, -write-topology DIR writes each service's topology file (for the
// sourceflow CLI: plan, apply, validate, export) without running, and
// -provisioning validate runs on queues and topics deployed beforehand,
// for instance from `sourceflow export cloudformation`, refusing to start
// while anything differs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "orders:", err)
		return 2
	}
	switch {
	case opts.topologyDir != "":
		err = writeTopology(ctx, opts, stdout)
	case opts.role == "orders", opts.role == "payments":
		err = runInstance(ctx, opts, stdout, stderr)
	case opts.role == "driver":
		err = runDriver(ctx, opts, stdout)
	default:
		err = runAll(ctx, opts, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "orders:", err)
		return 1
	}
	return 0
}

// runAll runs both services and the sender in this process and prints what
// they did.
func runAll(ctx context.Context, opts options, stdout io.Writer) error {
	// SIGINT or SIGTERM ends the run, or the linger, and closes the services.
	// A second signal, while the services close, ends the process.
	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(sigCtx, stop)
	ctx, cancel := context.WithTimeout(sigCtx, opts.timeout)
	defer cancel()
	obs, err := newObservability(opts)
	if err != nil {
		return err
	}
	res, err := runFlow(ctx, sigCtx, opts, obs)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res)
	if res.completed != opts.orders {
		return fmt.Errorf("%d of %d orders did not complete", opts.orders-res.completed, opts.orders)
	}
	return nil
}
