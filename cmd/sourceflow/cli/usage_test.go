package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestRun_UsageAndFileErrorsExitTwoWithoutCallingAWS(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nservice: s\ndestinations:\n  - name: q\n    kind: queue\n    types: [a.B]\n"), 0o600))
	unknown := filepath.Join(t.TempDir(), "unknown.yaml")
	require.NoError(t, os.WriteFile(unknown, []byte("version: 1\nservce: s\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"no file flag", []string{"validate"}, []string{`required flag(s) "file" not set`, "Run 'sourceflow validate --help'"}},
		{"unknown flag", []string{"plan", "--bogus"}, []string{"unknown flag: --bogus"}},
		{"extra argument", []string{"apply", "-f", bad, "now"}, []string{`unknown command "now"`}},
		{"unknown command", []string{"destroy"}, []string{`unknown command "destroy" for "sourceflow"`}},
		{"unknown dlq command", []string{"dlq", "redirve", "-f", bad}, []string{`unknown command "redirve" for "sourceflow dlq" (did you mean "redrive"?)`}},
		{"dlq flags without a command", []string{"dlq", "--queue", "x"}, []string{`"sourceflow dlq" needs a command before --queue`}},
		{"missing file", []string{"plan", "-f", "/nonexistent/t.yaml"}, []string{"read topology file", "no such file"}},
		{"invalid value", []string{"apply", "-f", bad}, []string{
			bad + ": topology: invalid topology file: destinations[0].kind (line 5)", "fix the fields named above in " + bad}},
		{"unknown field", []string{"validate", "-f", unknown}, []string{"line 2: unknown field servce"}},
		{"bad output", []string{"health", "-f", bad, "-o", "yaml"}, []string{`--output "yaml": want table or json`}},
		{"bad timeout", []string{"plan", "-f", bad, "--timeout", "soon"}, []string{`invalid argument "soon"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeAWS()
			_, errOut, code := fake.run(t, tt.args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, s)
			}
			assert.Zero(t, fake.clientCalls.Load(), "no AWS client for a usage error")
		})
	}
}

func TestRun_ReadsTheFileFromStandardInput(t *testing.T) {
	fake := newFakeAWS()
	text, err := os.ReadFile(writeTopology(t, ordersBinding(), topology.Options{}))
	require.NoError(t, err)
	cfg, out, errOut := fake.config(string(text))

	code := cli.Run(context.Background(), cfg, []string{"plan", "-f", "-"})

	assert.Equal(t, cli.ExitOK, code, errOut.String())
	assert.Contains(t, out.String(), "+ create queue orders.fifo\n")
}

func TestRun_EveryCommandHasHelpWithAnExample(t *testing.T) {
	for _, name := range []string{"plan", "apply", "validate", "health", "iam-policy", "export cloudformation", "export terraform", "dlq list", "dlq peek", "dlq redrive"} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := newFakeAWS().run(t, append(strings.Fields(name), "--help")...)
			assert.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "Examples:\n  sourceflow "+name+" -f ")
			assert.Contains(t, out, "-f, --file string")
			assert.NotRegexp(t, `(?m)^\s+(-\w, )?--[a-z-]+ \S+ \S+\s{2,}`, out, "no backquoted words taken for a value name")
		})
	}
	out, _, code := newFakeAWS().run(t, "--help")
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "Exit codes:")
	assert.Contains(t, out, "AWS_ENDPOINT_URL")
}

// An --account-id that is not 12 digits is a usage error, not a topic
// reported missing under a made-up ARN.
func TestRun_RefusesAMalformedAccountID(t *testing.T) {
	path := writeTopology(t, ordersBinding(), topology.Options{})
	for _, command := range []string{"plan", "validate", "health"} {
		t.Run(command, func(t *testing.T) {
			_, errOut, code := newFakeAWS().run(t, command, "-f", path, "--account-id", "12")
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, `AccountID: "12", want 12 digits`)
		})
	}
}
