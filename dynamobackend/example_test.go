package dynamobackend_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// The tables a Backend with an outbox uses, for infrastructure as code or a
// least-privilege policy: New and Configure create them by default, and
// Tables names them without a client.
func ExampleTables() {
	for _, table := range dynamobackend.Tables(dynamobackend.Config{TablePrefix: "orders_", Outbox: true}) {
		fmt.Println(table.Name)
	}
	// Output:
	// orders_commands
	// orders_entities
	// orders_views
	// orders_idempotency
	// orders_outbox
}
