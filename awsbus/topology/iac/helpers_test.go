package iac_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// examplePlans are the plans of the example's topology files (orders and
// payments, encrypted under alias/orders).
func examplePlans(t *testing.T) []topology.Plan {
	t.Helper()
	return filePlans(t, "orders", "payments")
}

// shopPlans are the plans of the example's topology files with its
// DynamoDB stores (orders and payments, both declaring the same four
// tables, named with the prefix shop_).
func shopPlans(t *testing.T) []topology.Plan {
	t.Helper()
	return filePlans(t, "shop-orders", "shop-payments")
}

// shopTablePlans are shopPlans with their tables only: the golden files of
// the tables, whose queues and topics are those of examplePlans.
func shopTablePlans(t *testing.T) []topology.Plan {
	t.Helper()
	var plans []topology.Plan
	for _, p := range shopPlans(t) {
		plans = append(plans, topology.Plan{Service: p.Service, Tables: p.Tables})
	}
	return plans
}

// filePlans are the plans of the topology files of ../testdata named.
func filePlans(t *testing.T, names ...string) []topology.Plan {
	t.Helper()
	var plans []topology.Plan
	for _, name := range names {
		f, err := os.Open(filepath.Join("..", "testdata", name+".topology.yaml"))
		require.NoError(t, err)
		file, err := topology.DecodeFile(f)
		require.NoError(t, f.Close())
		require.NoError(t, err)
		p, err := file.Plan()
		require.NoError(t, err)
		plans = append(plans, p)
	}
	return plans
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	require.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test -update", path)
}

// shippingPlan is a service that handles one of the two types of
// order-events, so its subscription has a filter policy, and sends to a
// FIFO topic.
func shippingPlan(t *testing.T, opts topology.Options) topology.Plan {
	t.Helper()
	p, err := topology.New(sourceflow.Binding{
		Service: "shipping",
		Routes: []sourceflow.Route{
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "orders.OrderCancelled", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "shipping.Shipped", Kind: sourceflow.KindEvent, Destination: "shipments.fifo"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
		},
	}, opts)
	require.NoError(t, err)
	return p
}

// listenerPlan is the plan of billing listening to orders.OrderPlaced on
// the topic topicARN, of another account or region.
func listenerPlan(t *testing.T, topicARN string, opts topology.Options) topology.Plan {
	t.Helper()
	p, err := topology.New(sourceflow.Binding{Service: "billing",
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent,
			Types: []string{"orders.OrderPlaced"}}}}, opts)
	require.NoError(t, err)
	return p
}

// policyStatements returns the statements of the key policies and queue
// policies of a CloudFormation template, by resource type.
func policyStatements(t *testing.T, cfn []byte) map[string][]map[string]any {
	t.Helper()
	type policy struct {
		Statement []map[string]any `yaml:"Statement"`
	}
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				KeyPolicy      policy `yaml:"KeyPolicy"`
				PolicyDocument policy `yaml:"PolicyDocument"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	require.NoError(t, yaml.Unmarshal(cfn, &doc))
	out := map[string][]map[string]any{}
	for _, r := range doc.Resources {
		out[r.Type] = append(out[r.Type], r.Properties.KeyPolicy.Statement...)
		out[r.Type] = append(out[r.Type], r.Properties.PolicyDocument.Statement...)
	}
	return out
}
