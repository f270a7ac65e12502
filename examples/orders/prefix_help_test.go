package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// -prefix's help says which names it prefixes: every queue and topic of
// the services' plans starts with the prefix, except an event queue and
// its dead-letter queue, named <service>-<topic>, which the help names
// as such (with the name it takes), so that a name-prefix IAM policy or
// cleanup is not written from a wrong reading of it.
func TestPrefixHelpSaysHowEveryQueueIsNamed(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: any AWS call would fail
	t.Setenv("AWS_REGION", "eu-west-1")
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-transport", "aws", "-prefix", "demo-", "-write-topology", dir}, &out, &errOut), errOut.String())
	var help bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &help))
	assert.Contains(t, help.String(), "<service>-<topic>")
	var eventQueues []string
	for _, svc := range []string{"orders", "payments"} {
		plan := readPlan(t, filepath.Join(dir, svc+".topology.yaml"))
		for _, tp := range plan.Topics {
			assert.True(t, strings.HasPrefix(tp.Name, "demo-"), "topic %s", tp.Name)
		}
		for _, q := range plan.Queues {
			if strings.HasPrefix(q.Name, "demo-") {
				assert.True(t, strings.HasPrefix(q.DLQ, "demo-"), "dead-letter queue %s", q.DLQ)
				continue
			}
			assert.True(t, strings.HasPrefix(q.Name, svc+"-demo-"), "event queue %s is <service>-<topic>", q.Name)
			eventQueues = append(eventQueues, q.Name)
		}
	}
	require.NotEmpty(t, eventQueues)
	assert.True(t, slices.ContainsFunc(eventQueues, func(name string) bool { return strings.Contains(help.String(), name) }),
		"the help names one of the event queues %v as it is made", eventQueues)
}

// readPlan decodes a topology file and returns its plan.
func readPlan(t *testing.T, path string) topology.Plan {
	t.Helper()
	f, err := os.Open(path) //nolint:gosec // a file the test wrote in its temp dir
	require.NoError(t, err)
	file, err := topology.DecodeFile(f)
	require.NoError(t, f.Close())
	require.NoError(t, err)
	plan, err := file.Plan()
	require.NoError(t, err)
	return plan
}
