package topology_test

import (
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The least-privilege policy of a payments service that consumes its FIFO
// command queue, publishes one topic and keeps its idempotency records in
// a DynamoDB table, with infrastructure managed as code (assume mode: no
// create call; the table's key schema is read at start) and a KMS key
// named by its id. Each resource is in one statement, named by what the
// resource is to the service.
func ExampleNewIAMPolicy() {
	plan, err := topology.New(sourceflow.Binding{
		Service: "payments",
		Routes: []sourceflow.Route{
			{Type: "payments.ProcessPayment", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
			{Type: "payments.PaymentProcessed", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.ProcessPayment"}},
		},
	}, topology.Options{
		KMSKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab",
		Tables:   []topology.Table{{Name: "payments_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"}},
	})
	if err != nil {
		panic(err)
	}
	policy, err := topology.NewIAMPolicy(plan, topology.IAMConfig{
		AccountID: "111122223333", Region: "eu-west-1", Provisioning: topology.ProvisionAssume,
	})
	if err != nil {
		panic(err)
	}
	for _, s := range policy.Statement {
		fmt.Printf("%s: %s on %s\n", s.Sid, strings.Join(s.Action, ","), strings.Join(s.Resource, ","))
	}
	// Output:
	// ConsumedCommandQueues: sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage,sqs:SendMessage on arn:aws:sqs:eu-west-1:111122223333:payments.fifo
	// DeadLetterQueues: sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage on arn:aws:sqs:eu-west-1:111122223333:payments-dlq.fifo
	// Topics: sns:GetTopicAttributes,sns:Publish on arn:aws:sns:eu-west-1:111122223333:payment-events
	// Tables: dynamodb:BatchWriteItem,dynamodb:ConditionCheckItem,dynamodb:DeleteItem,dynamodb:DescribeTable,dynamodb:GetItem,dynamodb:PutItem,dynamodb:Query,dynamodb:UpdateItem on arn:aws:dynamodb:eu-west-1:111122223333:table/payments_idempotency
	// UseKey: kms:Decrypt,kms:DescribeKey,kms:GenerateDataKey on arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
}
