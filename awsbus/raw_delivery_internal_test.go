package awsbus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A body that is SNS's notification envelope is named as such; a message
// with the packed envelope attribute, or a body that merely looks alike,
// is not.
func TestCheckRawDeliveryNamesAnSNSNotificationEnvelope(t *testing.T) {
	notification := `{"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:us-east-1:000000000000:order-events","Message":"{}"}`
	err := checkRawDelivery(notification, map[string]string{})
	require.ErrorIs(t, err, ErrMalformedMessage)
	assert.ErrorContains(t, err, `order-events": the subscription must set RawMessageDelivery to true`)

	assert.NoError(t, checkRawDelivery(notification, map[string]string{sourceflow.MetaEnvelope: "{}"}), "a SourceFlow message")
	assert.NoError(t, checkRawDelivery(`{"Type":"Notification"}`, nil), "no topic, no message")
	assert.NoError(t, checkRawDelivery(`{"amount":5}`, nil))
	assert.NoError(t, checkRawDelivery(`not json`, nil))
}

// The topic a notification names comes from whoever sent the body: the
// error quotes it, so it cannot forge log lines or drive a terminal.
func TestCheckRawDeliveryQuotesTheTopicTheBodyNames(t *testing.T) {
	body := `{"Type":"Notification","TopicArn":"order-events\n\u001b[2Jlevel=INFO msg=forged","Message":"{}"}`

	err := checkRawDelivery(body, map[string]string{})

	require.ErrorIs(t, err, ErrMalformedMessage)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.ErrorContains(t, err, `"order-events\n\x1b[2Jlevel=INFO msg=forged": the subscription must set`)
}
