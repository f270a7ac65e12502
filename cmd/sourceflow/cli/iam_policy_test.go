package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

const iamAccount = "111122223333"

// wantPolicy is the policy topology.NewIAMPolicy derives for b and opts.
func wantPolicy(t *testing.T, opts topology.Options, cfg topology.IAMConfig) topology.IAMPolicy {
	t.Helper()
	p, err := topology.New(ordersBinding(), opts)
	require.NoError(t, err)
	pol, err := topology.NewIAMPolicy(p, cfg)
	require.NoError(t, err)
	return pol
}

func decodePolicy(t *testing.T, out string) topology.IAMPolicy {
	t.Helper()
	var pol topology.IAMPolicy
	require.NoError(t, json.Unmarshal([]byte(out), &pol), out)
	return pol
}

func TestIAMPolicy_PrintsThePolicyOfTheFilesService(t *testing.T) {
	opts := topology.Options{KMSKeyID: "alias/orders"}
	path := writeTopology(t, ordersBinding(), opts)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want topology.IAMConfig
	}{
		{"account flag, default region", map[string]string{"AWS_REGION": ""}, []string{"--account-id", iamAccount},
			topology.IAMConfig{AccountID: iamAccount, Region: "us-east-1"}},
		{"account and region from the environment", map[string]string{"AWS_ACCOUNT_ID": iamAccount, "AWS_REGION": "eu-west-1"},
			[]string{"--service", "orders"}, topology.IAMConfig{AccountID: iamAccount, Region: "eu-west-1"}},
		{"region flag, assume mode", map[string]string{"AWS_ACCOUNT_ID": iamAccount, "AWS_REGION": "eu-west-1"},
			[]string{"--region", "ap-south-1", "--provisioning", "assume"},
			topology.IAMConfig{AccountID: iamAccount, Region: "ap-south-1", Provisioning: topology.ProvisionAssume}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ACCOUNT_ID", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fake := newFakeAWS()
			out, errOut, code := fake.run(t, append([]string{"iam-policy", "-f", path}, tt.args...)...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Equal(t, wantPolicy(t, opts, tt.want), decodePolicy(t, out))
			assert.True(t, strings.HasPrefix(out, "{\n  \"Version\": \"2012-10-17\",\n"), out)
			assert.Zero(t, fake.clientCalls.Load(), "iam-policy makes no AWS call")
		})
	}
}

func TestIAMPolicy_UsageErrors(t *testing.T) {
	path := writeTopology(t, ordersBinding(), topology.Options{})
	tests := []struct {
		name    string
		account string
		args    []string
		stderr  string
	}{
		{"no account", "", nil, "pass --account-id or set AWS_ACCOUNT_ID (it makes no AWS call"},
		{"bad account", "", []string{"--account-id", "42"}, `AccountID: "42", want 12 digits`},
		{"other service", iamAccount, []string{"--service", "payments"},
			`--service "payments": ` + path + ` describes service "orders"`},
		{"unknown mode", iamAccount, []string{"--provisioning", "destroy"}, `--provisioning "destroy": want create, validate or assume`},
		{"bad region", iamAccount, []string{"--region", "moon"}, `Region: "moon" is not a region name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ACCOUNT_ID", tt.account)
			fake := newFakeAWS()
			out, errOut, code := fake.run(t, append([]string{"iam-policy", "-f", path}, tt.args...)...)

			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.stderr)
			assert.Empty(t, out)
			assert.Zero(t, fake.clientCalls.Load())
		})
	}
}
