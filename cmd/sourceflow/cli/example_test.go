package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// Plan, apply and validate a payments service's topology, read from
// standard input, against in-memory SQS and SNS fakes. Without
// Config.Clients the CLI uses the SDK's default chain instead.
func ExampleRun() {
	binding := sourceflow.Binding{
		Service: "payments",
		Routes: []sourceflow.Route{
			{Type: "payments.ProcessPayment", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.ProcessPayment"}},
		},
	}
	file, err := topology.NewFile(binding, topology.Options{})
	if err != nil {
		panic(err)
	}
	var text bytes.Buffer
	if err := file.Encode(&text); err != nil {
		panic(err)
	}
	sqs := awsbustest.NewSQS(awsbustest.SQSConfig{})
	sns := awsbustest.NewSNS(sqs, awsbustest.SNSConfig{})
	clients := func(context.Context) (cli.Clients, error) {
		return cli.Clients{SQS: sqs, SNS: sns, Region: "us-east-1"}, nil
	}
	for _, cmd := range []string{"plan", "apply", "validate"} {
		cfg := cli.Config{Clients: clients, Stdin: bytes.NewReader(text.Bytes()), Stdout: os.Stdout, Stderr: os.Stdout}
		code := cli.Run(context.Background(), cfg, []string{cmd, "-f", "-"})
		fmt.Printf("exit %d\n", code)
	}
	// Output:
	// Plan for service payments in us-east-1:
	// + create queue payments.fifo
	// + create queue payments-dlq.fifo (dead-letter queue of payments.fifo)
	// Plan: 2 to create, 0 to change. Run `sourceflow apply -f FILE` to make them.
	// exit 0
	// Applied service payments in us-east-1:
	// created queue payments.fifo
	// created queue payments-dlq.fifo (dead-letter queue of payments.fifo)
	// Apply complete: 2 created, 0 changed.
	// Endpoints:
	//   payments.fifo  queue  https://sqs.us-east-1.amazonaws.com/210987654321/payments.fifo
	// exit 0
	// No drift: service payments in us-east-1 matches standard input (1 queue, 0 topics, 0 subscriptions).
	// exit 0
}
