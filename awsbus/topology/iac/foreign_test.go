package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// A service that subscribes to a topic of another account and region,
// and sends to a queue there, both named by ARN, declares neither: its
// subscription and queue policy name the topic's ARN, and the
// subscription is made in the topic's region.
func TestForeignDestinationsAreNamedNotDeclared(t *testing.T) {
	const topicARN = "arn:aws:sns:eu-west-1:111111111111:order-events"
	const queueARN = "arn:aws:sqs:eu-west-1:111111111111:orders-commands"
	p, err := topology.New(sourceflow.Binding{Service: "billing",
		Routes: []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queueARN}},
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent,
			Types: []string{"orders.OrderPlaced"}}}}, topology.Options{})
	require.NoError(t, err)

	tf, err := iac.Terraform(p)
	require.NoError(t, err)
	assert.Contains(t, string(tf), `topic_arn            = "`+topicARN+`"`)
	assert.Contains(t, string(tf), `region = "eu-west-1"`)
	assert.Contains(t, string(tf), `"aws:SourceArn" = "`+topicARN+`"`)
	assert.NotContains(t, string(tf), `resource "aws_sns_topic"`)
	assert.NotContains(t, string(tf), "orders-commands")
	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	assert.Contains(t, string(cfn), "TopicArn: "+topicARN)
	assert.Contains(t, string(cfn), "Region: eu-west-1")
	assert.NotContains(t, string(cfn), "AWS::SNS::Topic\n")
	assert.NotContains(t, string(cfn), "orders-commands")
}
