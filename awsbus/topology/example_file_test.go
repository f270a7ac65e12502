package topology_test

import (
	"bytes"
	"fmt"
	"os"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service's registrations and options written as a topology file, and
// read back to the same plan: the file the operations CLI works from.
func ExampleNewFile() {
	binding := sourceflow.Binding{
		Service: "payments",
		Routes: []sourceflow.Route{
			{Type: "payments.ProcessPayment", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
			{Type: "payments.PaymentProcessed", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.ProcessPayment"}},
		},
	}
	f, err := topology.NewFile(binding, topology.Options{MaxReceiveCount: 3})
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		panic(err)
	}
	fmt.Print(buf.String())

	back, err := topology.DecodeFile(&buf)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	plan, err := back.Plan()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println("queues:", plan.Queues[0].Name, plan.Queues[0].DLQ)
	// Output:
	// # SourceFlow topology file: read by `sourceflow plan|apply|validate|health -f FILE`.
	// version: 1
	// service: payments
	// queues:
	//   visibility_timeout: 30s
	//   wait_time: 20s
	// dead_letter:
	//   max_receive_count: 3
	// destinations:
	//   - name: payment-events
	//     kind: event
	//     fifo: false
	//     types: [payments.PaymentProcessed]
	//   - name: payments.fifo
	//     kind: command
	//     fifo: true
	//     types: [payments.ProcessPayment]
	//     listen:
	//       handles: [payments.ProcessPayment]
	// queues: payments.fifo payments-dlq.fifo
}
