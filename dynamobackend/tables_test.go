package dynamobackend_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

func names(tables []topology.Table) []string {
	var out []string
	for _, t := range tables {
		out = append(out, t.Name)
	}
	return out
}

func TestTables_NamesEveryTable(t *testing.T) {
	assert.Equal(t, []string{"sourceflow_commands", "sourceflow_entities", "sourceflow_views", "sourceflow_idempotency"},
		names(dynamobackend.Tables(dynamobackend.Config{})))
	assert.Equal(t, []string{"app_commands", "app_entities", "app_views", "app_idempotency", "app_outbox"},
		names(dynamobackend.Tables(dynamobackend.Config{TablePrefix: "app_", Outbox: true})))
}
