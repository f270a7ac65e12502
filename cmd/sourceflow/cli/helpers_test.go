package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// ordersBinding is the orders service of examples/orders: it registers the
// four types and listens to its command queue and both topics.
func ordersBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders.fifo"},
			{Type: "payments.ProcessPayment", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "payments.PaymentProcessed", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "orders.fifo", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentProcessed"}},
		},
	}
}

// fakeAWS runs the CLI against the fakes of awsbustest.
type fakeAWS struct {
	sqs         *awsbustest.SQS
	sns         *awsbustest.SNS
	noSTS       bool // no STS client: the account is unknown until a queue exists
	kms         *encryptiontest.KMS
	clientCalls atomic.Int64
}

func newFakeAWS() *fakeAWS {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	return &fakeAWS{sqs: q, sns: awsbustest.NewSNS(q, awsbustest.SNSConfig{EnforceQueuePolicy: true})}
}

func (f *fakeAWS) config(stdin string) (cli.Config, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return cli.Config{
		Clients: func(context.Context) (cli.Clients, error) {
			f.clientCalls.Add(1)
			c := cli.Clients{SQS: f.sqs, SNS: f.sns, Region: f.sqs.Region()}
			if !f.noSTS {
				c.STS = awsbustest.NewSTS(f.sqs)
			}
			if f.kms != nil {
				c.KMS = f.kms
			}
			return c, nil
		},
		Stdin: bytes.NewBufferString(stdin), Stdout: &out, Stderr: &errOut,
	}, &out, &errOut
}

// run runs the command line args and returns its output and exit code.
func (f *fakeAWS) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cfg, out, errOut := f.config("")
	code = cli.Run(context.Background(), cfg, args)
	return out.String(), errOut.String(), code
}

// writeTopology writes the topology file of b and returns its path.
func writeTopology(t *testing.T, b sourceflow.Binding, opts topology.Options) string {
	t.Helper()
	f, err := topology.NewFile(b, opts)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, f.Encode(&buf))
	path := filepath.Join(t.TempDir(), "orders.topology.yaml")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path
}
