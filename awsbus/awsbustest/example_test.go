package awsbustest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// A FIFO queue holds a message group back while one of its messages is in
// flight, and counts every call.
func Example() {
	ctx := context.Background()
	fake := awsbustest.NewSQS(awsbustest.SQSConfig{})
	q, err := fake.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String("orders.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"},
	})
	if err != nil {
		panic(err)
	}
	for _, body := range []string{"first", "second"} {
		_, err := fake.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl: q.QueueUrl, MessageBody: aws.String(body), MessageGroupId: aws.String("order-1"),
		})
		if err != nil {
			panic(err)
		}
	}
	got, err := fake.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil {
		panic(err)
	}
	fmt.Println(aws.ToString(got.Messages[0].Body))
	again, err := fake.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(again.Messages), fake.Calls("ReceiveMessage"))
	// Output:
	// first
	// 0 2
}
