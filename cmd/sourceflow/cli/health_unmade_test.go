package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// deniedSNS answers every topic read with AuthorizationError, as SNS does
// for a caller without sns:GetTopicAttributes.
type deniedSNS struct{ *awsbustest.SNS }

func (deniedSNS) GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "SNS", OperationName: "GetTopicAttributes",
		Err: &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not authorized to perform sns:GetTopicAttributes"}}
}

// slowSNS answers no topic read before the call's context ends, and fails
// it as the SDK does, naming SNS.
type slowSNS struct{ *awsbustest.SNS }

func (slowSNS) GetTopicAttributes(ctx context.Context, _ *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	<-ctx.Done()
	return nil, &smithy.OperationError{ServiceID: "SNS", OperationName: "GetTopicAttributes", Err: ctx.Err()}
}

// Checks whose call could not be made while others answered (only the SNS
// endpoint refuses connections) are not missing resources: health names
// them, why, and the SNS client's endpoint, and does not advise creating
// what exists.
func TestHealth_ChecksThatCouldNotBeMadeAreNotAdvisedToBeCreated(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:1")
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = unreachableSNS{fake.sns}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "some checks are up: a call reached AWS")
	assert.Contains(t, errOut, "2 of 9 checks down: 2 could not be made, as their calls failed, so the health of their resources is unknown:\n"+
		"order-events (topic), payment-events (topic): the SNS endpoint cannot be reached "+
		"(AWS_ENDPOINT_URL_SNS: http://127.0.0.1:1; region us-east-1): dial tcp: connection refused: check that the endpoint is up")
	assert.NotContains(t, errOut, "sourceflow apply", "the topics exist")
	assert.NotContains(t, errOut, "missing")
}

// Checks denied access, beside queues AWS says do not exist (nothing was
// applied): the denied ones are named with what SNS answered and what to
// check; validate and apply are advised for the missing queues alone.
func TestHealth_DeniedChecksAreToldApartFromMissingResources(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = deniedSNS{fake.sns}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "9 of 9 checks down: 2 could not be made")
	assert.Contains(t, errOut, "\norder-events (topic), payment-events (topic): SNS answered AuthorizationError: check the credentials")
	assert.Contains(t, errOut, "\n7 found missing: run `sourceflow validate -f "+path+"` to see what is missing and `sourceflow apply -f "+path+"` to create it")
}

// A check cut short by --check-timeout while others answered says so,
// naming the service that did not answer, and --check-timeout.
func TestHealth_ChecksCutByCheckTimeoutAreNotMissing(t *testing.T) {
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = slowSNS{fake.sns}
	}, "health", "-f", path, "--check-timeout", "200ms")

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "order-events (topic), payment-events (topic): SNS did not answer within --check-timeout (200ms)")
	assert.NotContains(t, errOut, "sourceflow apply")
}

// A check cut short by --timeout, the whole run's bound, while others
// answered names --timeout, not the credentials.
func TestHealth_ChecksCutByTheRunsTimeoutNameIt(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SNS", "http://sns.internal:4566")
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = slowSNS{fake.sns}
	}, "health", "-f", path, "--timeout", "1s", "--check-timeout", "5s")

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "order-events (topic), payment-events (topic): SNS did not answer within --timeout: "+
		"check that the endpoint of region us-east-1 (AWS_ENDPOINT_URL_SNS: http://sns.internal:4566) answers, or allow more time with --timeout")
	assert.NotContains(t, errOut, "check the credentials")
}
