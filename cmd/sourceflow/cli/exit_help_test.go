package cli_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The root help's exit codes name every cause of exit 1: drift, an
// unhealthy resource, a missing dead-letter queue (every dlq command) and
// sql groups --remove of a group that is not there.
func TestRootHelpNamesEveryCauseOfExitOne(t *testing.T) {
	e := newDLQEnv(t)
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "audit.Record", Kind: sourceflow.KindCommand, Destination: "audit"})
	b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: "audit", Kind: sourceflow.KindCommand, Types: []string{"audit.Record"}})
	path := writeTopology(t, b, topology.Options{})
	for _, args := range [][]string{{"list"}, {"peek", "--queue", "audit"}, {"redrive", "--queue", "audit"}} {
		_, errOut, code := e.run(t, append(append([]string{"dlq"}, args...), "-f", path)...)
		require.Equal(t, cli.ExitDrift, code, "a missing dead-letter queue: %s", errOut)
	}

	out, errOut, code := e.run(t, "--help")

	require.Equal(t, cli.ExitOK, code, errOut)
	one := regexp.MustCompile(`(?s)\n  1  (.*?)\n  2  `).FindStringSubmatch(out)
	require.NotNil(t, one, out)
	text := regexp.MustCompile(`\s+`).ReplaceAllString(one[1], " ")
	for _, cause := range []string{"drift (validate", "unhealthy or degraded (health", "dead-letter queue missing (dlq", "sql groups --remove"} {
		assert.Contains(t, text, cause)
	}
}
