package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A --timeout or --check-timeout that leaves no time is the operator's
// mistake: it exits 2 naming the flag, before any AWS or database call,
// instead of failing every call at once and sending the operator to check
// an endpoint or a database that is fine (exit 3).
func TestTimeoutsThatLeaveNoTimeAreUsageErrorsBeforeAnyCall(t *testing.T) {
	// A DSN that would be refused: only a check made before dialling it
	// exits 2 (a connection failure exits 3).
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	path := writeTopology(t, ordersBinding(), topology.Options{})
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"validate", "-f", path, "--timeout", "0"}, "--timeout 0s"},
		{[]string{"plan", "-f", path, "--timeout=-5s"}, "--timeout -5s"},
		{[]string{"health", "-f", path, "--timeout", "0"}, "--timeout 0s"},
		{[]string{"health", "-f", path, "--check-timeout", "0"}, "--check-timeout 0s"},
		{[]string{"health", "-f", path, "--check-timeout=-1s"}, "--check-timeout -1s"},
		{[]string{"dlq", "list", "-f", path, "--timeout", "0"}, "--timeout 0s"},
		{[]string{"dlq", "redrive", "-f", path, "--queue", "orders-dlq.fifo", "--timeout", "0"}, "--timeout 0s"},
		{[]string{"sql", "depth", "--service", "payments", "--destination", "payments.fifo", "--timeout", "0"}, "--timeout 0s"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:2], " ")+" "+tt.flag, func(t *testing.T) {
			f := newFakeAWS()
			_, errOut, code := f.run(t, tt.args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.flag+": want a positive duration")
			assert.Zero(t, f.clientCalls.Load(), "no AWS client is built")
		})
	}
}
