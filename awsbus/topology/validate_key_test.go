package topology_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// keyRig is the orders topology created under alias/orders, and a fake KMS
// holding that key.
type keyRig struct {
	sq   *awsbustest.SQS
	sn   *awsbustest.SNS
	kms  *encryptiontest.KMS
	key  string
	plan topology.Plan
}

func newKeyRig(t *testing.T) *keyRig {
	t.Helper()
	sq, sn := newFakes()
	opts := topology.Options{KMSKeyID: "alias/orders"}
	_, plan := create(t, sq, sn, opts)
	k := encryptiontest.New()
	key := k.CreateKey()
	k.SetAlias("alias/orders", key)
	k.SetKeyAccount(key, sq.AccountID())
	return &keyRig{sq: sq, sn: sn, kms: k, key: key, plan: plan}
}

// keyDrifts validates with the fake KMS and returns the drifts of the key.
func (r *keyRig) keyDrifts(t *testing.T) []string {
	t.Helper()
	topo, err := newProvisioner(r.sq, r.sn, topology.ProvisionerConfig{KMS: r.kms})
	require.NoError(t, err)
	rep, _, err := topo.Validate(context.Background(), r.plan)
	require.NoError(t, err)
	var out []string
	for _, d := range rep.Drifts {
		require.Equal(t, "key", d.Resource, "only the key may drift: %s", d)
		out = append(out, d.String())
	}
	return out
}

// policy is the default key policy plus stmts.
func keyPolicy(t *testing.T, stmts ...any) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(encryptiontest.DefaultKeyPolicy()), &doc))
	doc["Statement"] = append(doc["Statement"].([]any), stmts...)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

func snsStatement(actions any, cond map[string]any) map[string]any {
	s := map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"}, "Action": actions, "Resource": "*"}
	if cond != nil {
		s["Condition"] = cond
	}
	return s
}

func TestTopology_ValidateReportsAKeyPolicyThatLeavesSNSOut(t *testing.T) {
	r := newKeyRig(t)

	got := r.keyDrifts(t)

	require.Len(t, got, 1)
	assert.Contains(t, got[0], "key alias/orders: policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, got[0], "for topic(s) order-events, payment-events")
	assert.Contains(t, got[0], "sourceflow iam-policy --key-policy")
}

func TestTopology_ValidateAcceptsTheKeyPolicyStatementsItPrints(t *testing.T) {
	r := newKeyRig(t)
	stmts, err := topology.NewKeyPolicyStatements(r.plan, topology.IAMConfig{AccountID: r.sq.AccountID(), Region: r.sq.Region()})
	require.NoError(t, err)
	var add []any
	for _, s := range stmts {
		add = append(add, s)
	}
	r.kms.SetKeyPolicy(r.key, keyPolicy(t, add...))

	assert.Empty(t, r.keyDrifts(t))
	assert.Positive(t, r.kms.Calls().GetKeyPolicy)
}

func TestTopology_ValidateReadsEveryFormOfAKeyPolicyStatement(t *testing.T) {
	account := awsbustest.NewSQS(awsbustest.SQSConfig{}).AccountID()
	both := []any{"kms:Decrypt", "kms:GenerateDataKey*"}
	all := "order-events, payment-events"
	topicARN := func(name string) string { return "arn:aws:sns:us-east-1:" + account + ":" + name }
	deny := func(principal any, cond map[string]any) map[string]any {
		s := map[string]any{"Sid": "Guard", "Effect": "Deny", "Principal": principal, "Action": "kms:*", "Resource": "*"}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		stmts   []any
		refused string // the topics named in the drift; "" for none
		why     string // part of the reason given
	}{
		{name: "no condition", stmts: []any{snsStatement(both, nil)}},
		{name: "the actions the SQS guide lists", stmts: []any{snsStatement([]any{"kms:GenerateDataKey", "kms:Decrypt"}, nil)}},
		{name: "kms:* for the account", stmts: []any{snsStatement("kms:*", map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": account}})}},
		{name: "actions split over two statements", stmts: []any{
			snsStatement("kms:Decrypt", nil), snsStatement("kms:GenerateDataKey*", nil)}},
		{name: "Principal *", stmts: []any{map[string]any{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}},
		{name: "NotAction", stmts: []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"NotAction": "kms:ScheduleKeyDeletion", "Resource": "*"}}},
		{name: "ArnLikeIfExists and StringNotEquals", stmts: []any{snsStatement(both, map[string]any{
			"ArnLikeIfExists": map[string]any{"aws:SourceArn": "arn:aws:sns:*:" + account + ":*"},
			"StringNotEquals": map[string]any{"aws:SourceAccount": "999999999999"}})}},
		{name: "a guardrail that exempts AWS services", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"StringNotEquals": map[string]any{"aws:PrincipalOrgID": "o-abc"},
			"Bool":            map[string]any{"aws:PrincipalIsAWSService": "false"}})}},
		{name: "a Deny of other topics", stmts: []any{snsStatement(both, nil), deny(map[string]any{"Service": "sns.amazonaws.com"},
			map[string]any{"ArnNotLike": map[string]any{"aws:SourceArn": []any{topicARN("order-events"), topicARN("payment-events")}}})}},

		{name: "only GenerateDataKey", stmts: []any{snsStatement("kms:GenerateDataKey", nil)}, refused: all, why: "no Allow statement"},
		{name: "one topic's ARN", stmts: []any{snsStatement(both, map[string]any{
			"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:sns:*:" + account + ":order-events"}})},
			refused: "payment-events", why: "no Allow statement"},
		{name: "a bracket is no character class", stmts: []any{snsStatement(both, map[string]any{
			"StringLike": map[string]any{"aws:SourceArn": "arn:aws:sns:*:" + account + ":[o]rder-events"}})},
			refused: all, why: "no Allow statement"},
		{name: "another account", stmts: []any{snsStatement(both, map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": "999999999999"}})},
			refused: all, why: "no Allow statement"},
		{name: "a role, not SNS", stmts: []any{map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":role/app"}, "Action": both, "Resource": "*"}},
			refused: all, why: "no Allow statement"},
		{name: "through SQS only", stmts: []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
			"Action": both, "Resource": "*", "Condition": map[string]any{"StringEquals": map[string]any{
				"kms:CallerAccount": account, "kms:ViaService": "sqs.us-east-1.amazonaws.com"}}}},
			refused: all, why: "no Allow statement"},
		{name: "NotResource", stmts: []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action": both, "NotResource": "*"}}, refused: all, why: "no Allow statement"},
		{name: "a Deny of SNS", stmts: []any{snsStatement(both, nil), deny(map[string]any{"Service": "sns.amazonaws.com"}, nil)},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "an organization guardrail", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"StringNotEquals": map[string]any{"aws:PrincipalOrgID": "o-abc"}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "a Deny of one topic", stmts: []any{snsStatement(both, nil), deny(map[string]any{"Service": "sns.amazonaws.com"},
			map[string]any{"ArnLike": map[string]any{"aws:SourceArn": topicARN("payment-events")}})},
			refused: "payment-events", why: `Deny statement "Guard" may refuse it`},
		{name: "a Deny on a JSON boolean", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"Bool": map[string]any{"aws:PrincipalIsAWSService": true}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "a Deny on a JSON number", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": json.Number(account)}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "a Deny of requests without a principal ARN", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"Null": map[string]any{"aws:PrincipalArn": "true"}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "a Deny on ForAllValues of a key SNS lacks", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"ForAllValues:StringLike": map[string]any{"aws:PrincipalOrgPaths": []any{"o-a/*"}}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
		{name: "an Allow on ForAnyValue of a key SNS lacks", stmts: []any{map[string]any{"Effect": "Allow", "Principal": "*",
			"Action": both, "Resource": "*", "Condition": map[string]any{
				"ForAnyValue:StringNotEquals": map[string]any{"aws:PrincipalOrgID": "o-x"}}}},
			refused: all, why: "no Allow statement"},
		{name: "a Deny on a condition the check cannot read", stmts: []any{snsStatement(both, nil), deny("*", map[string]any{
			"StringNotEquals": map[string]any{"kms:CallerAccount": account}})},
			refused: all, why: `Deny statement "Guard" may refuse it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newKeyRig(t)
			r.kms.SetKeyPolicy(r.key, keyPolicy(t, tc.stmts...))

			got := r.keyDrifts(t)

			if tc.refused == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Contains(t, got[0], "for topic(s) "+tc.refused+" (")
			assert.Contains(t, got[0], tc.why)
		})
	}
}

// Before the first apply no topic exists; the key is checked against the
// topics apply will create.
func TestTopology_ValidateChecksTheKeyBeforeTheTopicsExist(t *testing.T) {
	sq, sn := newFakes()
	k := encryptiontest.New()
	key := k.CreateKey()
	k.SetAlias("alias/orders", key)
	k.SetKeyAccount(key, sq.AccountID())
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{KMS: k, AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
	require.NoError(t, err)

	rep, _, err := topo.Validate(context.Background(), p)

	require.NoError(t, err)
	assert.Contains(t, rep.String(), "key alias/orders: policy does not let sns.amazonaws.com use the key")
}

func TestTopology_ValidateReportsAKeySQSAndSNSCannotUse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *keyRig)
		want  string
	}{
		{name: "disabled", setup: func(r *keyRig) { r.kms.SetDisabled(r.key, true) },
			want: "key alias/orders: is Disabled: SQS and SNS cannot encrypt messages under it"},
		{name: "AWS managed", setup: func(r *keyRig) { r.kms.SetAWSManaged(r.key, true) },
			want: "key alias/orders: is an AWS managed key, whose policy cannot let SNS use it: name a customer managed key"},
		{name: "missing", setup: func(r *keyRig) { r.kms.SetAlias("alias/orders", "no-such-key") },
			want: "key alias/orders: not found: create it or name another key in the topology"},
		{name: "denied", setup: func(r *keyRig) { r.kms.SetDenied(r.key, true) },
			want: "key alias/orders: not checked: kms:DescribeKey denied"},
		{name: "in another account", setup: func(r *keyRig) { r.kms.SetKeyAccount(r.key, "999999999999") },
			want: "key alias/orders: not checked: the key belongs to account 999999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newKeyRig(t)
			r.kms.SetKeyPolicy(r.key, keyPolicy(t, snsStatement("kms:*", nil)))
			tc.setup(r)

			got := r.keyDrifts(t)

			require.NotEmpty(t, got)
			assert.True(t, strings.HasPrefix(got[len(got)-1], tc.want), "got %q, want %q", got, tc.want)
		})
	}
}

// A KMS call failing for another reason than a missing key or a denied
// call fails Validate, as any failed AWS call does.
func TestTopology_ValidateFailsOnAFailedKMSCall(t *testing.T) {
	r := newKeyRig(t)
	r.kms.Throttle(1, "")
	topo, err := newProvisioner(r.sq, r.sn, topology.ProvisionerConfig{KMS: r.kms})
	require.NoError(t, err)

	_, _, err = topo.Validate(context.Background(), r.plan)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "kms:DescribeKey alias/orders")
}

func TestTopology_ValidateWithoutAKMSClientLeavesTheKeyAlone(t *testing.T) {
	r := newKeyRig(t)
	topo, err := newProvisioner(r.sq, r.sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(context.Background(), r.plan)

	require.NoError(t, err)
	assert.True(t, rep.OK(), rep.String())
	assert.Zero(t, r.kms.Calls().DescribeKey)
}
