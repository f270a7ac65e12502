package iac_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

func TestTerraformMatchesTheGoldenFiles(t *testing.T) {
	golden(t, "example.tf", must(iac.Terraform(examplePlans(t)...)))
	golden(t, "shipping.tf", must(iac.Terraform(shippingPlan(t, topology.Options{KMSKeyID: "alias/shipping"}))))
	golden(t, "shop-tables.tf", must(iac.Terraform(shopTablePlans(t)...)))
}

// parseTerraform parses out with the HCL library and returns its blocks
// as "type label label…" → block.
func parseTerraform(t *testing.T, out []byte) map[string]*hclsyntax.Block {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(out, "main.tf", hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	blocks := map[string]*hclsyntax.Block{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		key := b.Type
		for _, l := range b.Labels {
			key += " " + l
		}
		require.NotContains(t, blocks, key, "declared twice")
		blocks[key] = b
	}
	return blocks
}

func TestTerraformParsesAndReferencesOnlyDeclaredResources(t *testing.T) {
	out := must(iac.Terraform(append(examplePlans(t), shippingPlan(t, topology.Options{}))...))
	blocks := parseTerraform(t, out)
	require.Contains(t, blocks, "terraform")
	require.Contains(t, blocks, "data aws_caller_identity current")
	var refs int
	for key, b := range blocks {
		for name, attr := range b.Body.Attributes {
			for _, tr := range attr.Expr.Variables() {
				refs++
				root := tr.RootName()
				if root == "data" {
					label := tr[1].(hcl.TraverseAttr).Name + " " + tr[2].(hcl.TraverseAttr).Name
					assert.Contains(t, blocks, "data "+label, "%s.%s", key, name)
					continue
				}
				assert.Contains(t, blocks, "resource "+root+" "+tr[1].(hcl.TraverseAttr).Name, "%s.%s", key, name)
			}
		}
	}
	assert.Greater(t, refs, 20)
}

// attrValue evaluates a literal attribute of block (no references).
func attrValue(t *testing.T, b *hclsyntax.Block, name string) any {
	t.Helper()
	attr, ok := b.Body.Attributes[name]
	require.True(t, ok, "%s has no %s", b.Labels, name)
	v, diags := attr.Expr.Value(&hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}})
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	switch {
	case v.Type().FriendlyName() == "bool":
		return v.True()
	case v.Type().FriendlyName() == "number":
		n, _ := v.AsBigFloat().Int64()
		return int(n)
	}
	return v.AsString()
}

func TestTerraformDeclaresEveryResourceOfThePlans(t *testing.T) {
	plans := examplePlans(t)
	blocks := parseTerraform(t, must(iac.Terraform(plans...)))
	queues := map[string]*hclsyntax.Block{}
	for key, b := range blocks {
		if len(b.Labels) == 2 && b.Labels[0] == "aws_sqs_queue" {
			queues[attrValue(t, b, "name").(string)] = blocks[key]
		}
	}
	for _, p := range plans {
		for _, q := range p.Queues {
			b := queues[q.Name]
			require.NotNil(t, b, "queue %s", q.Name)
			require.NotNil(t, queues[q.DLQ], "dead-letter queue %s", q.DLQ)
			if q.FIFO {
				assert.Equal(t, true, attrValue(t, b, "fifo_queue"))
			}
			assert.Equal(t, 30, attrValue(t, b, "visibility_timeout_seconds"))
			assert.Equal(t, 1209600, attrValue(t, queues[q.DLQ], "message_retention_seconds"))
			require.Len(t, b.Body.Blocks, 1, "queue %s keeps its lifecycle block", q.Name)
			assert.Equal(t, true, attrValue(t, b.Body.Blocks[0], "prevent_destroy"))
			refs := b.Body.Attributes["redrive_policy"].Expr.Variables()
			require.Len(t, refs, 1)
			assert.Equal(t, queues[q.DLQ].Labels[1], refs[0][1].(hcl.TraverseAttr).Name, "redrive of %s", q.Name)
		}
	}
	key := blocks["resource aws_kms_alias orders"]
	require.NotNil(t, key)
	assert.Equal(t, "alias/orders", attrValue(t, key, "name"))
}

func TestTerraformFiltersASubscriptionToTheHandledTypes(t *testing.T) {
	blocks := parseTerraform(t, must(iac.Terraform(shippingPlan(t, topology.Options{}))))
	sub := blocks["resource aws_sns_topic_subscription order_events_to_shipping_order_events"]
	require.NotNil(t, sub, "blocks: %v", keysOf(blocks))
	assert.Equal(t, `{"sf_type":["orders.OrderCreated"]}`, attrValue(t, sub, "filter_policy"))
	assert.Equal(t, true, attrValue(t, sub, "raw_message_delivery"))
	assert.NotContains(t, blocks, "data aws_caller_identity current", "no key, no account lookup")
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestTerraformDeclaresTablesAsTheStoresCreateThem(t *testing.T) {
	tables := map[string]*hclsyntax.Block{}
	for _, b := range parseTerraform(t, must(iac.Terraform(shopPlans(t)...))) {
		if len(b.Labels) == 2 && b.Labels[0] == "aws_dynamodb_table" {
			tables[attrValue(t, b, "name").(string)] = b
		}
	}
	require.Len(t, tables, 4)
	nested := func(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
		var out []*hclsyntax.Block
		for _, n := range b.Body.Blocks {
			if n.Type == typ {
				out = append(out, n)
			}
		}
		return out
	}

	idem := tables["shop_idempotency"]
	require.NotNil(t, idem)
	assert.Equal(t, "PAY_PER_REQUEST", attrValue(t, idem, "billing_mode"))
	assert.Equal(t, "id", attrValue(t, idem, "hash_key"))
	assert.NotContains(t, idem.Body.Attributes, "range_key")
	attrs := nested(idem, "attribute")
	require.Len(t, attrs, 1)
	assert.Equal(t, "id", attrValue(t, attrs[0], "name"))
	assert.Equal(t, "S", attrValue(t, attrs[0], "type"))
	ttl := nested(idem, "ttl")
	require.Len(t, ttl, 1)
	assert.Equal(t, "expires_at", attrValue(t, ttl[0], "attribute_name"))
	assert.Equal(t, true, attrValue(t, ttl[0], "enabled"))
	lifecycle := nested(idem, "lifecycle")
	require.Len(t, lifecycle, 1)
	assert.Equal(t, true, attrValue(t, lifecycle[0], "prevent_destroy"))

	views := tables["shop_views"]
	require.NotNil(t, views)
	assert.Equal(t, "pk", attrValue(t, views, "hash_key"))
	assert.Equal(t, "sk", attrValue(t, views, "range_key"))
	assert.Len(t, nested(views, "attribute"), 2)
	assert.Empty(t, nested(views, "ttl"))
}

// A tag key that HCL reads as a keyword at the start of an object ("for"
// starts a for expression) is written quoted, so the configuration parses
// and keeps the tag.
func TestTerraformWritesATagKeyNamedLikeAKeywordAsAString(t *testing.T) {
	p := shippingPlan(t, topology.Options{Tags: map[string]string{"for": "checkout"}})
	blocks := parseTerraform(t, must(iac.Terraform(p)))
	b := blocks["resource aws_sns_topic order_events"]
	require.NotNil(t, b)
	v, diags := b.Body.Attributes["tags"].Expr.Value(nil)
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	assert.Equal(t, "checkout", v.GetAttr("for").AsString())
}

// The header comment names the services on one line, whatever their names
// hold: a line break would end the comment and leave the rest of the name
// as configuration.
func TestTerraformKeepsTheServicesInItsHeaderComment(t *testing.T) {
	p := handPlan("orders\nresource", []string{"orders"}, nil)
	out := must(iac.Terraform(p))
	parseTerraform(t, out)
	assert.True(t, strings.HasPrefix(string(out), "# SourceFlow topology of orders resource\n"), "%s", out)
}
