package topology_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// withLine returns validFile with line n (1-based) replaced by repl.
func withLine(n int, repl string) string {
	lines := strings.Split(validFile, "\n")
	lines[n-1] = repl
	return strings.Join(lines, "\n")
}

// invalidFile is a topology file with the problems want names.
type invalidFile struct {
	name string
	text string
	want []string
	is   error
}

func invalidFiles() []invalidFile {
	events := validFile + `  - name: payment-events
    kind: event
    types: [payments.PaymentTaken, payments.PaymentRefunded]
    listen:
      handles: [payments.PaymentTaken]
`
	return []invalidFile{
		{"version", withLine(1, "version: 2"), []string{"version (line 1): is 2, want 1"}, nil},
		{"kind", withLine(5, "    kind: queue"), []string{`destinations[0].kind (line 5): "queue" is not "command"`}, nil},
		{"fifo contradicts the name", withLine(5, "    kind: command\n    fifo: false"),
			[]string{"destinations[0].fifo (line 6): is false"}, nil},
		{"duration", "queues:\n  visibility_timeout: soon\n" + validFile,
			[]string{`queues.visibility_timeout (line 2): "soon" is not a duration (e.g. 30s)`}, nil},
		{"count", "dead_letter:\n  max_receive_count: many\n" + validFile,
			[]string{`dead_letter.max_receive_count (line 2): "many" is not a whole number`}, nil},
		{"list for a text", withLine(4, "  - name: [a, b]"),
			[]string{"destinations[0].name (line 4): a list is not a text"}, nil},
		{"text for a list", withLine(6, "    types: orders.CreateOrder"),
			[]string{"destinations[0].types (line 6): a text is not a list"}, nil},
		{"second document", validFile + "---\nversion: 1\n",
			[]string{"line 9: a second YAML document; a topology file holds one"}, nil},
		{"null listen", strings.Replace(validFile, "    listen:\n      handles: [orders.CreateOrder]\n", "    listen:\n", 1),
			[]string{"destinations[0].listen (line 7): is empty: give listen.handles, or remove listen"}, nil},
		{"filter types on a command destination", withLine(8, "      handles: [orders.CreateOrder]\n      filter_types: [orders.CreateOrder]"),
			[]string{"destinations[0].listen.filter_types (line 9): is for event destinations only"}, nil},
		{"visibility out of range", "queues:\n  visibility_timeout: 13h\n" + validFile,
			[]string{"queues.visibility_timeout (line 2): 13h0m0s, must be 1s..12h0m0s"}, topology.ErrInvalidPlan},
		{"max receive count", "dead_letter:\n  max_receive_count: 5000\n" + validFile,
			[]string{"dead_letter.max_receive_count (line 2): 5000, must be 1..1000"}, topology.ErrInvalidPlan},
		{"kms key", "encryption:\n  kms_key_id: my key\n" + validFile,
			[]string{`encryption.kms_key_id (line 2): "my key" is not a key id`}, topology.ErrInvalidPlan},
		{"queue name", withLine(4, "  - name: orders!.fifo"),
			[]string{`destinations[0].name (line 4): queue name "orders!.fifo" has invalid character`}, topology.ErrInvalidName},
		{"topic name", strings.Replace(validFile, "orders.fifo\n    kind: command", "order events\n    kind: event", 1),
			[]string{`destinations[0].name (line 4): topic name "order events" has invalid character`}, topology.ErrInvalidName},
		{"type routed twice", validFile + "  - name: other\n    kind: command\n    types: [orders.CreateOrder]\n",
			[]string{`destinations[1].types[0] (line 11): type "orders.CreateOrder" routed to command "other", ` +
				`already routed to command "orders.fifo" by destinations[0].types[0] (line 6)`}, topology.ErrDuplicateRoute},
		{"duplicate destination", validFile + "  - name: orders.fifo\n    kind: command\n    types: [x.Y]\n",
			[]string{`destinations[1].name (line 9): "orders.fifo" is already described by destinations[0]`}, nil},
		{"listen without handles", withLine(8, "      handles: []"),
			[]string{`destinations[0].listen (line 7): command "orders.fifo" is listened to but no type is handled`}, topology.ErrNoHandler},
		{"queue on a command destination", withLine(8, "      handles: [orders.CreateOrder]\n      queue: q"),
			[]string{"destinations[0].listen.queue (line 9): is for event destinations only"}, nil},
		{"FIFO pairing", events + "      queue: orders-payment-events.fifo\n",
			[]string{`destinations[1].listen (line 12): event queue "orders-payment-events.fifo" of topic "payment-events": ` +
				"a FIFO topic needs a FIFO queue"}, topology.ErrFIFOMismatch},
		{"filter types differ", events + "      filter_types: [payments.PaymentRefunded]\n",
			[]string{"destinations[1].listen.filter_types (line 14): is [payments.PaymentRefunded] but listen.handles " +
				"and types give [payments.PaymentTaken]"}, nil},
		{"no destinations", "version: 1\nservice: s\n", []string{"destinations (line 1): at least one destination"}, nil},
		{"fifo beside other problems", strings.Replace(withLine(5, "    kind: command\n    fifo: false"), "version: 1\n",
			"version: 1\nqueues:\n  visibility_timeout: 99h\n", 1),
			[]string{"destinations[0].fifo (line 8): is false", "queues.visibility_timeout (line 3): 99h0m0s, must be"}, nil},
		{"queue options beside a FIFO pairing", strings.Replace(events+"      queue: orders-payment-events.fifo\n", "version: 1\n",
			"version: 1\nqueues:\n  visibility_timeout: 99h\n", 1),
			[]string{"queues.visibility_timeout (line 3): 99h0m0s, must be", `destinations[1].listen (line 14): event queue ` +
				`"orders-payment-events.fifo" of topic "payment-events": a FIFO topic needs a FIFO queue`}, topology.ErrFIFOMismatch},
		{"several problems at once", withLine(1, "version: 0") + "  - name: \"\"\n    kind: x\n",
			[]string{"version (line 1)", "destinations[1].name (line 9): required", "destinations[1].kind (line 10)",
				"destinations[1].types (line 9): at least one type"}, nil},
	}
}

func TestDecodeFile_ReportsInvalidValuesByFieldAndLine(t *testing.T) {
	for _, tt := range invalidFiles() {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topology.DecodeFile(strings.NewReader(tt.text))
			require.ErrorIs(t, err, topology.ErrInvalidFile, tt.text)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestDecodeFile_AcceptsMatchingCheckedFields(t *testing.T) {
	text := validFile + `  - name: payment-events
    kind: event
    fifo: false
    types: [payments.PaymentTaken, payments.PaymentRefunded]
    listen:
      handles: [payments.PaymentTaken]
      filter_types: [payments.PaymentTaken]
`
	f, err := topology.DecodeFile(strings.NewReader(text))
	require.NoError(t, err)
	p, err := f.Plan()
	require.NoError(t, err)
	require.Len(t, p.Subscriptions, 1)
	assert.Equal(t, []string{"payments.PaymentTaken"}, p.Subscriptions[0].FilterTypes)
}

// A problem both the file's checks and the plan find (a bad destination
// name, at the name and where the plan uses it) is said once.
func TestDecodeFileSaysAProblemOnce(t *testing.T) {
	file := "version: 1\nservice: orders\ndestinations:\n  - name: \"Orders!!\"\n    kind: command\n" +
		"    types: [orders.CreateOrder]\n    listen:\n      handles: [orders.CreateOrder]\n"
	_, err := topology.DecodeFile(strings.NewReader(file))
	require.ErrorIs(t, err, topology.ErrInvalidFile)
	assert.Equal(t, 1, strings.Count(err.Error(), `queue name "Orders!!" has invalid character`), err.Error())
	assert.Contains(t, err.Error(), "destinations[0].name (line 4)")
}

// A kind the file names wrong is said once, at the kind: the routes and
// the listener of its destination do not each repeat it as New's unknown
// kind 0.
func TestDecodeFileSaysAnUnknownKindOnce(t *testing.T) {
	_, err := topology.DecodeFile(strings.NewReader(withLine(5, "    kind: queue")))
	require.ErrorIs(t, err, topology.ErrInvalidFile)
	assert.Equal(t, `topology: invalid topology file: destinations[0].kind (line 5): "queue" is not "command" (an SQS queue) `+
		`or "event" (an SNS topic)`, err.Error())
}
