package topology_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

var updateGolden = flag.Bool("update", false, "rewrite the IAM policy golden files in testdata")

const testAccount = "111122223333"

// readTopology decodes a topology file of testdata.
func readTopology(t *testing.T, name string) topology.File {
	t.Helper()
	r, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer r.Close()
	f, err := topology.DecodeFile(r)
	require.NoError(t, err)
	return f
}

func iamPolicy(t *testing.T, f topology.File, mode topology.Provisioning) topology.IAMPolicy {
	t.Helper()
	p, err := f.Plan()
	require.NoError(t, err)
	pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1", Provisioning: mode})
	require.NoError(t, err)
	return pol
}

// The policies of the example's services, per provisioning mode, with and
// without encryption, are the documents in testdata/iam; run with -update
// after a deliberate change and review the diff.
func TestNewIAMPolicy_MatchesTheGoldenFiles(t *testing.T) {
	for _, service := range []string{"orders", "payments"} {
		for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
			for _, kms := range []bool{true, false} {
				name := service + "-" + mode.String()
				if kms {
					name += "-kms"
				}
				t.Run(name, func(t *testing.T) {
					f := readTopology(t, service+".topology.yaml")
					if !kms {
						f.Encryption = topology.FileEncryption{}
					}
					got, err := json.MarshalIndent(iamPolicy(t, f, mode), "", "  ")
					require.NoError(t, err)
					checkGolden(t, filepath.Join("testdata", "iam", name+".json"), append(got, '\n'))
				})
			}
		}
	}
}

// The policies of the example's orders service with its DynamoDB stores
// (tables named with the prefix shop_), per provisioning mode, are the
// documents in testdata/iam/shop-orders-*.json.
func TestNewIAMPolicy_MatchesTheGoldenFilesWithTables(t *testing.T) {
	for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		t.Run(mode.String(), func(t *testing.T) {
			got, err := json.MarshalIndent(iamPolicy(t, readTopology(t, "shop-orders.topology.yaml"), mode), "", "  ")
			require.NoError(t, err)
			checkGolden(t, filepath.Join("testdata", "iam", "shop-orders-"+mode.String()+".json"), append(got, '\n'))
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestNewIAMPolicy ./awsbus/topology -update to create it")
	assert.Equal(t, string(want), string(got))
}

// iamAction is the IAM action that authorizes a client method: a batch call
// is authorized as its single form (SendMessageBatch as sqs:SendMessage).
func iamAction(service, method string) string {
	return service + ":" + strings.TrimSuffix(method, "Batch")
}

func methodsOf(service string, iface reflect.Type) []string {
	var out []string
	for i := range iface.NumMethod() {
		out = append(out, iamAction(service, iface.Method(i).Name))
	}
	return out
}

// Every call of awsbus's client interfaces and of the encryption
// middleware's KMS interface is in the policy of a service that uses
// everything (create mode, encryption on), and the policy has no other
// action: a new client call fails this test until NewIAMPolicy grants it.
func TestNewIAMPolicy_GrantsExactlyTheCallsOfTheClientInterfaces(t *testing.T) {
	var want []string
	want = append(want, methodsOf("sqs", reflect.TypeFor[awsbus.SQSAPI]())...)
	want = append(want, methodsOf("sns", reflect.TypeFor[awsbus.SNSAPI]())...)
	want = append(want, methodsOf("kms", reflect.TypeFor[encryption.KMSAPI]())...)
	slices.Sort(want)
	want = slices.Compact(want)

	var got []string
	for _, s := range iamPolicy(t, readTopology(t, "orders.topology.yaml"), topology.ProvisionCreate).Statement {
		got = append(got, s.Action...)
	}
	slices.Sort(got)

	assert.Equal(t, want, slices.Compact(got))
}

func TestNewIAMPolicy_GrantsTheKeyHoweverItIsNamed(t *testing.T) {
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keys := "arn:aws:kms:eu-west-1:" + testAccount + ":key/*"
	alias := map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {"alias/orders"}}}
	tests := []struct {
		name, id, resource string
		condition          map[string]map[string][]string
	}{
		{"key id", keyID, "arn:aws:kms:eu-west-1:" + testAccount + ":key/" + keyID, nil},
		{"multi-region key id", "mrk-1234abcd12ab34cd56ef1234567890ab",
			"arn:aws:kms:eu-west-1:" + testAccount + ":key/mrk-1234abcd12ab34cd56ef1234567890ab", nil},
		{"key ARN of another region", "arn:aws:kms:us-east-2:444455556666:key/" + keyID,
			"arn:aws:kms:us-east-2:444455556666:key/" + keyID, nil},
		{"alias", "alias/orders", keys, alias},
		{"alias ARN", "arn:aws:kms:us-east-2:444455556666:alias/orders", "arn:aws:kms:us-east-2:444455556666:key/*", alias},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := readTopology(t, "payments.topology.yaml")
			f.Encryption.KMSKeyID = tt.id
			pol := iamPolicy(t, f, topology.ProvisionAssume)
			i := slices.IndexFunc(pol.Statement, func(s topology.IAMStatement) bool { return s.Sid == "UseKey" })
			require.GreaterOrEqual(t, i, 0, "a UseKey statement")
			s := pol.Statement[i]
			assert.Equal(t, []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}, s.Action)
			assert.Equal(t, []string{tt.resource}, s.Resource)
			assert.Equal(t, tt.condition, s.Condition)
		})
	}
}

func TestNewIAMPolicy_PartitionFollowsTheRegion(t *testing.T) {
	p, err := readTopology(t, "payments.topology.yaml").Plan()
	require.NoError(t, err)
	for region, partition := range map[string]string{"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "ap-south-1": "aws",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eusc-de-east-1": "aws-eusc"} {
		pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: region})
		require.NoError(t, err)
		want := "arn:" + partition + ":sqs:" + region + ":" + testAccount + ":orders.fifo"
		assert.Contains(t, pol.Statement[0].Resource, want, region)
	}
}

func TestNewIAMPolicy_ReportsEveryConfigProblem(t *testing.T) {
	p, err := readTopology(t, "orders.topology.yaml").Plan()
	require.NoError(t, err)

	_, err = topology.NewIAMPolicy(p, topology.IAMConfig{Region: "Mars", Provisioning: 7})

	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	for _, want := range []string{"AccountID: required", `Region: "Mars"`, "Provisioning: 7, must be create, validate or assume"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: "12345", Region: "us-east-1"})
	require.ErrorContains(t, err, `AccountID: "12345", want 12 digits`)
}

func TestNewIAMPolicy_RejectsAnEmptyPlan(t *testing.T) {
	_, err := topology.NewIAMPolicy(topology.Plan{Service: "idle"}, topology.IAMConfig{AccountID: testAccount, Region: "us-east-1"})

	require.ErrorIs(t, err, topology.ErrInvalidPlan)
}

// Create mode sets attributes only on the queues the service consumes and
// their dead-letter queues (Provisioner.Create leaves a queue it only sends
// to alone once it exists); it may create every queue.
func TestNewIAMPolicy_SetsAttributesOnlyOnConsumedQueues(t *testing.T) {
	f := readTopology(t, "orders.topology.yaml")
	p, err := f.Plan()
	require.NoError(t, err)
	pol := iamPolicy(t, f, topology.ProvisionCreate)
	granted := map[string][]string{}
	for _, s := range pol.Statement {
		for _, a := range s.Action {
			granted[a] = append(granted[a], s.Resource...)
		}
	}
	arn := func(q string) string { return "arn:aws:sqs:eu-west-1:" + testAccount + ":" + q }
	for _, q := range p.Queues {
		assert.Contains(t, granted["sqs:CreateQueue"], arn(q.Name))
		if q.Owned {
			assert.Contains(t, granted["sqs:SetQueueAttributes"], arn(q.Name))
			assert.Contains(t, granted["sqs:SetQueueAttributes"], arn(q.DLQ))
			continue
		}
		assert.NotContains(t, granted["sqs:SetQueueAttributes"], arn(q.Name), "only sent to")
		assert.NotContains(t, granted["sqs:SetQueueAttributes"], arn(q.DLQ), "only sent to")
	}
	assert.NotContains(t, granted["sqs:SetQueueAttributes"], arn("payments.fifo"))
}

// tableCallActions maps a DynamoDB client method to the IAM actions that
// authorize it: TransactWriteItems is authorized per operation it may
// contain.
func tableCallActions(method string) []string {
	if method == "TransactWriteItems" {
		return []string{"dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
	}
	return []string{"dynamodb:" + method}
}

// Every call of the stores' DynamoDB interface and of table provisioning is
// in the create-mode policy of a service with tables, each granted on
// exactly the plan's tables, and no other DynamoDB action is: a new call
// fails this test until NewIAMPolicy grants it.
func TestNewIAMPolicy_GrantsExactlyTheTableCallsOnTheTables(t *testing.T) {
	var want []string
	for _, iface := range []reflect.Type{reflect.TypeFor[dynamo.API](), reflect.TypeFor[topology.TablesAPI]()} {
		for i := range iface.NumMethod() {
			want = append(want, tableCallActions(iface.Method(i).Name)...)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)

	f := readTopology(t, "shop-orders.topology.yaml")
	p, err := f.Plan()
	require.NoError(t, err)
	var tables []string
	for _, tbl := range p.Tables {
		tables = append(tables, "arn:aws:dynamodb:eu-west-1:"+testAccount+":table/"+tbl.Name)
	}
	require.Len(t, tables, 4)
	var got []string
	for _, s := range iamPolicy(t, f, topology.ProvisionCreate).Statement {
		for _, a := range s.Action {
			if strings.HasPrefix(a, "dynamodb:") {
				got = append(got, a)
				assert.Equal(t, tables, s.Resource, "%s %s", s.Sid, a)
			}
		}
	}
	slices.Sort(got)

	assert.Equal(t, want, got, "each action once")
}

// Without tables there is no DynamoDB statement. The tables share one
// statement, Tables, with the run-time calls; validate mode adds the reads
// and create mode the reads and the writes.
func TestNewIAMPolicy_TableStatementsFollowTheMode(t *testing.T) {
	sids := func(f topology.File, mode topology.Provisioning) map[string][]string {
		out := map[string][]string{}
		for _, s := range iamPolicy(t, f, mode).Statement {
			if strings.HasPrefix(s.Action[0], "dynamodb:") {
				out[s.Sid] = s.Action
			}
		}
		return out
	}
	use := []string{"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
		"dynamodb:Query", "dynamodb:UpdateItem"}
	read := []string{"dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"}
	create := []string{"dynamodb:CreateTable", "dynamodb:TagResource", "dynamodb:UpdateTimeToLive"}
	sorted := func(actions ...[]string) []string { return slices.Sorted(slices.Values(slices.Concat(actions...))) }
	shop := readTopology(t, "shop-orders.topology.yaml")
	require.NotEmpty(t, shop.Tags, "the tag actions are granted for a plan with tags")
	assert.Equal(t, map[string][]string{"Tables": sorted(use, read, create)}, sids(shop, topology.ProvisionCreate))
	assert.Equal(t, map[string][]string{"Tables": sorted(use, read)}, sids(shop, topology.ProvisionValidate))
	assert.Equal(t, map[string][]string{"Tables": sorted(use, []string{"dynamodb:DescribeTable"})}, sids(shop, topology.ProvisionAssume),
		"assume mode reads the key schema only")
	assert.Empty(t, sids(readTopology(t, "orders.topology.yaml"), topology.ProvisionCreate))
}

func TestNewIAMPolicy_TableARNsFollowThePartition(t *testing.T) {
	p, err := readTopology(t, "shop-payments.topology.yaml").Plan()
	require.NoError(t, err)
	pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: "cn-north-1"})
	require.NoError(t, err)
	i := slices.IndexFunc(pol.Statement, func(s topology.IAMStatement) bool { return s.Sid == "Tables" })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, []string{
		"arn:aws-cn:dynamodb:cn-north-1:" + testAccount + ":table/shop_commands",
		"arn:aws-cn:dynamodb:cn-north-1:" + testAccount + ":table/shop_entities",
		"arn:aws-cn:dynamodb:cn-north-1:" + testAccount + ":table/shop_idempotency",
		"arn:aws-cn:dynamodb:cn-north-1:" + testAccount + ":table/shop_views",
	}, pol.Statement[i].Resource)
}
