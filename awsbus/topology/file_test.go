package topology_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// roundTrip writes b and opts as a file, reads it back and returns the
// text and the decoded file.
func roundTrip(t *testing.T, b sourceflow.Binding, opts topology.Options) (string, topology.File) {
	t.Helper()
	f, err := topology.NewFile(b, opts)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, f.Encode(&buf))
	back, err := topology.DecodeFile(strings.NewReader(buf.String()))
	require.NoError(t, err, buf.String())
	return buf.String(), back
}

func TestFile_RoundTripsTheExampleTopology(t *testing.T) {
	tests := []struct {
		name    string
		binding sourceflow.Binding
		opts    topology.Options
	}{
		{"orders", exampleOrdersBinding(), topology.Options{KMSKeyID: "alias/orders"}},
		{"payments", examplePaymentsBinding(), topology.Options{
			VisibilityTimeout: 90 * time.Second, WaitTime: 5 * time.Second, MaxReceiveCount: 3,
		}},
		{"partial handling gives a filter", ordersBinding(), topology.Options{}},
		{"listen-only destinations stay unrouted", listenOnlyBinding(), topology.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := topology.New(tt.binding, tt.opts)
			require.NoError(t, err)
			text, back := roundTrip(t, tt.binding, tt.opts)
			got, err := topology.New(back.Binding(), back.Options())
			require.NoError(t, err)
			assert.Equal(t, want, got, text)
			assert.Equal(t, tt.binding.Service, back.Binding().Service)
			js, err := json.Marshal(want)
			require.NoError(t, err)
			var fromJSON topology.Plan
			require.NoError(t, json.Unmarshal(js, &fromJSON))
			assert.Equal(t, want.Destinations, fromJSON.Destinations, "plan -o json keeps Routed")
		})
	}
}

func TestFile_OrdersTopologyMatchesTheGoldenFile(t *testing.T) {
	text, _ := roundTrip(t, exampleOrdersBinding(), topology.Options{KMSKeyID: "alias/orders",
		Tags: map[string]string{"team": "checkout", "cost-center": "4711"}})
	golden, err := os.ReadFile("testdata/orders.topology.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(golden), text)
}

func TestFile_KeepsCustomEventQueueNames(t *testing.T) {
	opts := topology.Options{EventQueueName: func(p topology.EventQueueNameParams) string {
		return "svc-" + p.Service + "-" + p.Topic
	}}
	want, err := topology.New(exampleOrdersBinding(), opts)
	require.NoError(t, err)
	text, back := roundTrip(t, exampleOrdersBinding(), opts)
	assert.Contains(t, text, "queue: svc-orders-payment-events")
	got, err := back.Plan()
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestNewFile_RejectsAnInvalidBinding(t *testing.T) {
	b := exampleOrdersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "other"})
	_, err := topology.NewFile(b, topology.Options{})
	require.ErrorIs(t, err, topology.ErrDuplicateRoute)
}

const validFile = `version: 1
service: orders
destinations:
  - name: orders.fifo
    kind: command
    types: [orders.CreateOrder]
    listen:
      handles: [orders.CreateOrder]
`

func TestDecodeFile_AcceptsAMinimalFile(t *testing.T) {
	f, err := topology.DecodeFile(strings.NewReader(validFile))
	require.NoError(t, err)
	p, err := f.Plan()
	require.NoError(t, err)
	require.Len(t, p.Queues, 1)
	assert.Equal(t, topology.DefaultMaxReceiveCount, p.Queues[0].MaxReceiveCount)
}

func TestDecodeFile_RejectsMalformedYAML(t *testing.T) {
	_, err := topology.DecodeFile(strings.NewReader("version: 1\nservice: orders\n  kind: command\n"))
	require.ErrorIs(t, err, topology.ErrInvalidFile)
	assert.Contains(t, err.Error(), "line 3")
}

func TestDecodeFile_RejectsAnEmptyFile(t *testing.T) {
	_, err := topology.DecodeFile(strings.NewReader("# nothing\n"))
	require.ErrorIs(t, err, topology.ErrInvalidFile)
	assert.Contains(t, err.Error(), "empty")
}

func TestDecodeFile_RejectsUnknownFields(t *testing.T) {
	text := strings.Replace(validFile, "    kind: command\n", "    kind: command\n    retention: 4d\n", 1)
	_, err := topology.DecodeFile(strings.NewReader(text))
	require.ErrorIs(t, err, topology.ErrInvalidFile)
	assert.Contains(t, err.Error(), "line 6: unknown field retention")
}
