package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A table whose time to live is on another attribute is left as it is:
// plan and validate say apply keeps it and why, naming both attributes;
// apply does not fail with DynamoDB's refusal but says it left it, and
// exits 1 with the drift.
func TestApply_LeavesATableWhoseTimeToLiveIsOnAnotherAttribute(t *testing.T) {
	fake, tables, path := applyKeysTableWithTTLElsewhere(t)
	problem := "table shop_keys: time to live is enabled on attribute purge_at, want expires_at: apply leaves it"

	out, errOut, code := fake.runWithTables(t, tables, "plan", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "= keep "+problem)
	assert.Contains(t, out, "Plan: 0 to create, 0 to change.\n")
	assert.NotContains(t, out, "another service set", "the drift says why apply keeps it")

	out, _, code = fake.runWithTables(t, tables, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, problem)
	assert.Contains(t, out, "--time-to-live-specification Enabled=false,AttributeName=purge_at")

	out, errOut, code = fake.runWithTables(t, tables, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "left "+problem)
	assert.Contains(t, out, "Apply complete: 0 created, 0 changed, 1 left.")
	assert.NotContains(t, errOut, "ValidationException")
	assert.Contains(t, errOut, problem)
	assert.NotContains(t, errOut, "another service set")
	assert.Contains(t, errOut, "apply leaves a table's time to live as it is, as said above; run `sourceflow validate")
	assert.Equal(t, "purge_at", tables.ttl["shop_keys"])
}

// DynamoDB refuses to turn a time to live on again while turning it off
// runs (up to an hour): the way to move it says to wait until it is off.
func TestValidate_SaysToWaitForTheOldTimeToLiveToBeOff(t *testing.T) {
	fake, tables, path := applyKeysTableWithTTLElsewhere(t)

	out, _, code := fake.runWithTables(t, tables, "validate", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "wait until `aws dynamodb describe-time-to-live --table-name shop_keys` says DISABLED "+
		"(up to an hour; DynamoDB refuses another change before)")
	assert.Contains(t, out, "until it moves, DynamoDB deletes no item by expires_at, so the table keeps what expired")
}

// applyKeysTableWithTTLElsewhere applies a topology with table shop_keys
// (time to live on expires_at), then moves its time to live to purge_at,
// as another application would.
func applyKeysTableWithTTLElsewhere(t *testing.T) (*fakeAWS, *fakeTables, string) {
	t.Helper()
	fake, tables := newFakeAWS(), newFakeTables()
	path := writeTopology(t, ordersBinding(), topology.Options{
		Tables: []topology.Table{{Name: "shop_keys", PartitionKey: "pk", TTLAttribute: "expires_at"}}})
	_, errOut, code := fake.runWithTables(t, tables, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	tables.ttl["shop_keys"] = "purge_at"
	return fake, tables, path
}
