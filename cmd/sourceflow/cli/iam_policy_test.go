package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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
		{"region of the default profile", map[string]string{"AWS_ACCOUNT_ID": iamAccount, "AWS_REGION": "",
			sharedConfig: "[default]\nregion = ap-southeast-2\n"}, nil,
			topology.IAMConfig{AccountID: iamAccount, Region: "ap-southeast-2"}},
		{"region of AWS_PROFILE", map[string]string{"AWS_ACCOUNT_ID": iamAccount, "AWS_PROFILE": "ops",
			sharedConfig: "[default]\nregion = ap-southeast-2\n[profile ops]\nregion = sa-east-1\n"}, nil,
			topology.IAMConfig{AccountID: iamAccount, Region: "sa-east-1"}},
		{"region flag over the profile", map[string]string{"AWS_ACCOUNT_ID": iamAccount,
			sharedConfig: "[default]\nregion = ap-southeast-2\n"}, []string{"--region", "eu-north-1"},
			topology.IAMConfig{AccountID: iamAccount, Region: "eu-north-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateSDKConfig(t, tt.env[sharedConfig])
			t.Setenv("AWS_ACCOUNT_ID", "")
			delete(tt.env, sharedConfig)
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

// sharedConfig is the key of a test's env that holds the text of the
// shared config file instead of a variable.
const sharedConfig = "shared config file"

// isolateSDKConfig makes the SDK read config as its shared config file
// and nothing else of the machine's AWS configuration.
func isolateSDKConfig(t *testing.T, config string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	t.Setenv("AWS_CONFIG_FILE", path)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
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

func TestIAMPolicy_GrantsTheStoresTheTablesOfTheFile(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", iamAccount)
	path := writeTopology(t, ordersBinding(), topology.Options{Tables: shopTables()})
	var arns []string
	for _, name := range []string{"shop_commands", "shop_entities", "shop_idempotency", "shop_views"} {
		arns = append(arns, "arn:aws:dynamodb:eu-west-1:"+iamAccount+":table/"+name)
	}
	for mode, sids := range map[string][]string{
		"create":   {"Tables"},
		"validate": {"Tables"},
		"assume":   {"Tables"},
	} {
		out, errOut, code := newFakeAWS().run(t, "iam-policy", "-f", path, "--region", "eu-west-1", "--provisioning", mode)
		require.Equal(t, cli.ExitOK, code, errOut)
		var got []string
		for _, s := range decodePolicy(t, out).Statement {
			if strings.HasPrefix(s.Action[0], "dynamodb:") {
				got = append(got, s.Sid)
				assert.Equal(t, arns, s.Resource, "%s: %s", mode, s.Sid)
			}
		}
		assert.Equal(t, sids, got, mode)
	}
}

// --key-policy prints the statements the key's policy needs: SNS may use
// the key for the service's topics only. A file without a key has none to
// print, and says why.
func TestIAMPolicy_KeyPolicyLetsSNSUseTheKeyForTheServicesTopics(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", iamAccount)
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})

	out, errOut, code := newFakeAWS().run(t, "iam-policy", "-f", path, "--region", "eu-west-1", "--key-policy")

	require.Equal(t, cli.ExitOK, code, errOut)
	pol := decodePolicy(t, out)
	require.Len(t, pol.Statement, 1)
	s := pol.Statement[0]
	assert.Equal(t, map[string][]string{"Service": {"sns.amazonaws.com"}}, s.Principal)
	assert.Equal(t, []string{"kms:Decrypt", "kms:GenerateDataKey"}, s.Action)
	assert.Equal(t, []string{iamAccount}, s.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, []string{"arn:aws:sns:eu-west-1:" + iamAccount + ":order-events",
		"arn:aws:sns:eu-west-1:" + iamAccount + ":payment-events"}, s.Condition["ArnLike"]["aws:SourceArn"])

	plain := writeTopology(t, ordersBinding(), topology.Options{})
	_, errOut, code = newFakeAWS().run(t, "iam-policy", "-f", plain, "--region", "eu-west-1", "--key-policy")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "has no KMS key: its queues use SQS-managed encryption")
}

// listeningBinding is a service that publishes n event types, each to a
// topic of its own, and listens to all of them.
func listeningBinding(n int) sourceflow.Binding {
	b := sourceflow.Binding{Service: "audit"}
	for i := range n {
		topic := fmt.Sprintf("events-%02d", i)
		typ := fmt.Sprintf("audit.Event%02d", i)
		b.Routes = append(b.Routes, sourceflow.Route{Type: typ, Kind: sourceflow.KindEvent, Destination: topic})
		b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: topic, Kind: sourceflow.KindEvent, Types: []string{typ}})
	}
	return b
}

// A policy over IAM's managed-policy quota (6,144 characters without white
// space) is printed with a warning on standard error that names the quotas;
// one within it is printed alone. The policy names each resource once, so a
// service listening to twenty topics is within it, one listening to sixty
// is not.
func TestIAMPolicy_WarnsOfAPolicyOverIAMsSizeQuota(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    sourceflow.Binding
		warn bool
	}{{"sixty topics", listeningBinding(60), true}, {"twenty topics", listeningBinding(20), false}, {"the orders service", ordersBinding(), false}} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTopology(t, tc.b, topology.Options{})
			out, errOut, code := newFakeAWS().run(t, "iam-policy", "-f", path, "--account-id", iamAccount, "--region", "us-east-1",
				"--provisioning", "create")
			require.Equal(t, cli.ExitOK, code, errOut)
			compact := new(bytes.Buffer)
			require.NoError(t, json.Compact(compact, []byte(out)))
			if !tc.warn {
				assert.LessOrEqual(t, compact.Len(), 6144)
				assert.Empty(t, errOut)
				return
			}
			assert.Greater(t, compact.Len(), 6144)
			assert.Contains(t, errOut, fmt.Sprintf("the policy is %d characters without white space", compact.Len()))
			assert.Contains(t, errOut, "6144 in a managed policy and 10240 in all the inline policies of a role")
		})
	}
}
