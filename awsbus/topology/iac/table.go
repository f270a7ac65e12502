package iac

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// table adds the DynamoDB table t as topology.ApplyTables creates it:
// on-demand capacity, string keys, time to live on its TTL attribute. It is
// retained like a queue: deleting it loses the state of the stores.
func (b *builder) table(t topology.Table) {
	keys := []struct {
		name string
		typ  types.KeyType
		tf   string
	}{{t.PartitionKey, types.KeyTypeHash, "hash_key"}, {t.SortKey, types.KeyTypeRange, "range_key"}}
	var definitions, schema, tfAttributes []any
	props := []prop{
		{cfn: "TableName", tf: "name", value: t.Name},
		{cfn: "BillingMode", tf: "billing_mode", value: string(types.BillingModePayPerRequest)},
	}
	for _, k := range keys {
		if k.name == "" {
			continue
		}
		definitions = append(definitions, map[string]any{"AttributeName": k.name, "AttributeType": string(types.ScalarAttributeTypeS)})
		schema = append(schema, map[string]any{"AttributeName": k.name, "KeyType": string(k.typ)})
		tfAttributes = append(tfAttributes, map[string]any{"name": k.name, "type": string(types.ScalarAttributeTypeS)})
		props = append(props, prop{tf: k.tf, value: k.name})
	}
	props = append(props,
		prop{cfn: "AttributeDefinitions", value: definitions},
		prop{cfn: "KeySchema", value: schema},
		prop{tf: "attribute", value: tfAttributes, block: true},
	)
	if t.TTLAttribute != "" {
		props = append(props,
			prop{cfn: "TimeToLiveSpecification", value: map[string]any{"AttributeName": t.TTLAttribute, "Enabled": true}},
			prop{tf: "ttl", value: []any{map[string]any{"attribute_name": t.TTLAttribute, "enabled": true}}, block: true},
		)
	}
	b.add(&resource{typ: dynamoTable, name: t.Name, retain: true, props: append(props, tagProps(b.tags[dynamoTable][t.Name])...)})
}

// declared is a table with the service that declared it first.
type declared struct {
	t       topology.Table
	service string
}

// addTable records t of service. Services that share a store declare its
// tables alike; one table declared differently is a conflict, as one of
// the stores would find keys it does not write.
func (m *merger) addTable(service string, t topology.Table) error {
	prev, ok := m.tables[t.Name]
	if !ok {
		m.tables[t.Name] = declared{t: t, service: service}
		return nil
	}
	if prev.t == t {
		return nil
	}
	return fmt.Errorf("%w: table %q: service %q declares it with %s and service %q with %s; "+
		"services that share a table must declare it alike", ErrConflict, t.Name, prev.service, describeTable(prev.t), service, describeTable(t))
}

// describeTable names the keys and the time to live of t.
func describeTable(t topology.Table) string {
	s := fmt.Sprintf("partition key %q", t.PartitionKey)
	if t.SortKey != "" {
		s += fmt.Sprintf(", sort key %q", t.SortKey)
	}
	if t.TTLAttribute != "" {
		s += fmt.Sprintf(", TTL attribute %q", t.TTLAttribute)
	}
	return s
}
