package awsbus

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// snsNotification is the part of SNS's JSON notification envelope that
// tells it apart from a message body.
type snsNotification struct {
	Type     string  `json:"Type"`
	TopicArn string  `json:"TopicArn"`
	Message  *string `json:"Message"`
}

// checkRawDelivery reports, wrapping ErrMalformedMessage, a received
// message whose body is SNS's JSON notification envelope: it came through a
// subscription without raw message delivery, so its attributes are inside
// the body, not on the message. SourceFlow always sends the packed envelope
// attribute, so a message carrying it is never taken for one.
func checkRawDelivery(body string, attrs map[string]string) error {
	if _, ok := attrs[sourceflow.MetaEnvelope]; ok || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		return nil
	}
	var n snsNotification
	if json.Unmarshal([]byte(body), &n) != nil || n.Type != "Notification" || n.TopicArn == "" || n.Message == nil {
		return nil
	}
	return fmt.Errorf("%w: body is an SNS notification envelope from topic %q: the subscription must set RawMessageDelivery to true",
		ErrMalformedMessage, n.TopicArn)
}
