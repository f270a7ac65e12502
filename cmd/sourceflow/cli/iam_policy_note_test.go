package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A create-mode policy printed by default comes with a note on standard
// error that a production runtime role should use --provisioning assume:
// create mode lets the running service change what it creates. Asking for
// create mode explicitly, another mode, or the key policy prints no note.
func TestIAMPolicy_NotesThatTheDefaultCreateModeIsNotForProduction(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", iamAccount)
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
	for _, tc := range []struct {
		name string
		args []string
		note bool
	}{
		{"default", nil, true},
		{"create asked for", []string{"--provisioning", "create"}, false},
		{"assume", []string{"--provisioning", "assume"}, false},
		{"validate", []string{"--provisioning", "validate"}, false},
		{"key policy", []string{"--key-policy"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"iam-policy", "-f", path, "--region", "eu-west-1"}, tc.args...)
			out, errOut, code := newFakeAWS().run(t, args...)

			require.Equal(t, cli.ExitOK, code, errOut)
			decodePolicy(t, out) // standard output stays the policy alone
			if !tc.note {
				assert.Empty(t, errOut)
				return
			}
			assert.Contains(t, errOut, "--provisioning assume")
			assert.Contains(t, errOut, "sns:SetSubscriptionAttributes")
		})
	}
}
