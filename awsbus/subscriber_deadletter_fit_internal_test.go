package awsbus

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter's copy whose body leaves less room than its reason takes
// (a message that fit as received) still fits SQS's limit at every shortfall, the reason inline or packed
// in the envelope (escaped there), and a shortened reason of 64 bytes or
// more keeps its end, where the cause is.
func TestDeadLetterAttributesFitAtEveryShortfall(t *testing.T) {
	reason := "handler h: <" + strings.Repeat("é\"&", 300) + ">: the cause"
	full := map[string]sqstypes.MessageAttributeValue{}
	for i := range sourceflow.AttributeBudget {
		full[fmt.Sprintf("attr_%d", i)] = stringAttribute(fmt.Sprintf("value %d", i))
	}
	body := strings.Repeat("b", MaxSQSMessageBytes+2*maxReasonBytes)
	for name, attrs := range map[string]map[string]sqstypes.MessageAttributeValue{"inline": nil, "packed": full} {
		room := MaxSQSMessageBytes - sqsSize("", withReason(attrs, reason))
		// The message as received fit: its body and attributes alone.
		most := sqsSize("", withReason(attrs, reason)) - sqsSize("", attrs)
		for short := 1; short <= most; short++ {
			raw := sqstypes.Message{Body: aws.String(body[:room+short]), MessageAttributes: attrs}
			out := deadLetterAttributes(raw, reason, failedOrigin{})
			if size := sqsSize(aws.ToString(raw.Body), out); size > MaxSQSMessageBytes {
				t.Fatalf("%s, %d bytes short: the copy is %d bytes, over %d", name, short, size, MaxSQSMessageBytes)
			}
			got := peekReason(t, out)
			if len(got) >= 64 && !strings.HasSuffix(got, ">: the cause") {
				t.Fatalf("%s, %d bytes short: reason %q lost its end", name, short, got)
			}
		}
	}
}
