package iac_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

func TestCloudFormationMatchesTheGoldenFiles(t *testing.T) {
	golden(t, "example.cfn.yaml", must(iac.CloudFormation(examplePlans(t)...)))
	golden(t, "shipping.cfn.yaml", must(iac.CloudFormation(shippingPlan(t, topology.Options{KMSKeyID: "alias/shipping"}))))
	golden(t, "shop-tables.cfn.yaml", must(iac.CloudFormation(shopTablePlans(t)...)))
}

// template is the parsed output, for checks of its structure.
type template struct {
	Resources map[string]struct {
		Type                string         `yaml:"Type"`
		Properties          map[string]any `yaml:"Properties"`
		DeletionPolicy      string         `yaml:"DeletionPolicy"`
		UpdateReplacePolicy string         `yaml:"UpdateReplacePolicy"`
	} `yaml:"Resources"`
}

func parseTemplate(t *testing.T, out []byte) template {
	t.Helper()
	var tpl template
	require.NoError(t, yaml.Unmarshal(out, &tpl))
	return tpl
}

// byName finds the resource of type typ whose property prop is value.
func (tpl template) byName(typ, prop, value string) (string, map[string]any) {
	for id, r := range tpl.Resources {
		if r.Type == typ && r.Properties[prop] == value {
			return id, r.Properties
		}
	}
	return "", nil
}

func TestCloudFormationDeclaresEveryResourceOfThePlans(t *testing.T) {
	plans := examplePlans(t)
	tpl := parseTemplate(t, must(iac.CloudFormation(plans...)))
	for _, p := range plans {
		for _, q := range p.Queues {
			id, props := tpl.byName("AWS::SQS::Queue", "QueueName", q.Name)
			require.NotEmpty(t, id, "queue %s", q.Name)
			dlqID, _ := tpl.byName("AWS::SQS::Queue", "QueueName", q.DLQ)
			require.NotEmpty(t, dlqID, "dead-letter queue %s", q.DLQ)
			assert.Equal(t, map[string]any{
				"deadLetterTargetArn": map[string]any{"Fn::GetAtt": []any{dlqID, "Arn"}},
				"maxReceiveCount":     q.MaxReceiveCount,
			}, props["RedrivePolicy"], "queue %s", q.Name)
			assert.Equal(t, "Retain", tpl.Resources[id].DeletionPolicy)
			assert.Equal(t, "Retain", tpl.Resources[dlqID].UpdateReplacePolicy)
			assert.Equal(t, q.FIFO, props["FifoQueue"] == true, "queue %s", q.Name)
		}
		for _, tp := range p.Topics {
			id, _ := tpl.byName("AWS::SNS::Topic", "TopicName", tp.Name)
			assert.NotEmpty(t, id, "topic %s", tp.Name)
		}
	}
	var subs, queues, policies int
	for _, r := range tpl.Resources {
		switch r.Type {
		case "AWS::SNS::Subscription":
			subs++
			assert.Equal(t, true, r.Properties["RawMessageDelivery"])
			assert.Equal(t, "sqs", r.Properties["Protocol"])
		case "AWS::SQS::Queue":
			queues++
		case "AWS::SQS::QueuePolicy":
			policies++
			doc := r.Properties["PolicyDocument"].(map[string]any)
			first := doc["Statement"].([]any)[0].(map[string]any)
			assert.Equal(t, topology.SecureTransportSid, first["Sid"])
			assert.Equal(t, "Deny", first["Effect"])
		}
	}
	assert.Equal(t, 2, subs, "the orders service subscribes its two event queues")
	assert.Equal(t, queues, policies, "every queue, dead-letter queues included, refuses requests without TLS")
	keyID, key := tpl.byName("AWS::KMS::Key", "Description", "SourceFlow message encryption key (alias/orders)")
	require.NotEmpty(t, keyID, "the key of alias/orders, once for both services")
	assert.Equal(t, true, key["EnableKeyRotation"])
	_, alias := tpl.byName("AWS::KMS::Alias", "AliasName", "alias/orders")
	assert.Equal(t, map[string]any{"Ref": keyID}, alias["TargetKeyId"])
}

func TestCloudFormationReferencesOnlyItsOwnResources(t *testing.T) {
	out := must(iac.CloudFormation(append(examplePlans(t), shippingPlan(t, topology.Options{}))...))
	tpl := parseTemplate(t, out)
	var refs int
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Ref"].(string); ok && !strings.HasPrefix(r, "AWS::") {
				refs++
				assert.Contains(t, tpl.Resources, r)
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok {
				refs++
				assert.Contains(t, tpl.Resources, ga[0])
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, r := range tpl.Resources {
		walk(r.Properties)
	}
	assert.Greater(t, refs, 20)
}

func TestCloudFormationFiltersASubscriptionToTheHandledTypes(t *testing.T) {
	tpl := parseTemplate(t, must(iac.CloudFormation(shippingPlan(t, topology.Options{}))))
	var found bool
	for _, r := range tpl.Resources {
		if r.Type == "AWS::SNS::Subscription" {
			found = true
			assert.Equal(t, map[string]any{"sf_type": []any{"orders.OrderCreated"}}, r.Properties["FilterPolicy"])
		}
	}
	assert.True(t, found)
	_, topic := tpl.byName("AWS::SNS::Topic", "TopicName", "shipments.fifo")
	assert.Equal(t, true, topic["FifoTopic"])
	assert.Equal(t, true, topic["ContentBasedDeduplication"])
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestCloudFormationDeclaresTablesAsTheStoresCreateThem(t *testing.T) {
	tpl := parseTemplate(t, must(iac.CloudFormation(shopPlans(t)...)))
	id, idem := tpl.byName("AWS::DynamoDB::Table", "TableName", "shop_idempotency")
	require.NotEmpty(t, id)
	assert.Equal(t, "PAY_PER_REQUEST", idem["BillingMode"])
	assert.Equal(t, []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}}, idem["AttributeDefinitions"])
	assert.Equal(t, []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}}, idem["KeySchema"])
	assert.Equal(t, map[string]any{"AttributeName": "expires_at", "Enabled": true}, idem["TimeToLiveSpecification"])
	assert.Equal(t, "Retain", tpl.Resources[id].DeletionPolicy)
	assert.Equal(t, "Retain", tpl.Resources[id].UpdateReplacePolicy)

	id, views := tpl.byName("AWS::DynamoDB::Table", "TableName", "shop_views")
	require.NotEmpty(t, id)
	assert.Equal(t, []any{
		map[string]any{"AttributeName": "pk", "KeyType": "HASH"},
		map[string]any{"AttributeName": "sk", "KeyType": "RANGE"},
	}, views["KeySchema"])
	assert.Len(t, views["AttributeDefinitions"], 2)
	assert.NotContains(t, views, "TimeToLiveSpecification", "no TTL attribute, no time to live")
}

// A system of more resources than one stack may declare is refused at
// export, not when CloudFormation validates the template; Terraform renders
// it.
func TestCloudFormationRefusesMoreResourcesThanAStackMayDeclare(t *testing.T) {
	var queues []string
	for i := range 126 { // a queue, its dead-letter queue and a policy of each: 504 resources
		queues = append(queues, fmt.Sprintf("work%03d", i))
	}
	p := handPlan("work", queues, nil)

	_, err := iac.CloudFormation(p)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "would declare 504 resources, and CloudFormation refuses a stack of more than 500")
	_, err = iac.Terraform(p)
	require.NoError(t, err)
	_, err = iac.CloudFormation(handPlan("work", queues[:125], nil))
	require.NoError(t, err, "500 resources are within the limit")
}
