package awsbustest

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

const (
	maxAttributes   = 10
	maxMessageBytes = 1 << 20 // SQS message and SendMessageBatch limit
	maxBatchEntries = 10
	maxEntryIDChars = 80
)

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// validEntryID applies the rules for batch entry ids.
func validEntryID(id string) bool {
	if id == "" || len(id) > maxEntryIDChars {
		return false
	}
	for _, r := range id {
		if !isAlnum(r) && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// checkAttributes validates message attributes and returns their size in
// bytes (name, type and value, as SQS counts them).
func checkAttributes(attrs map[string]types.MessageAttributeValue) (int, error) {
	if len(attrs) > maxAttributes {
		return 0, apiError("InvalidParameterValue", fmt.Sprintf(
			"Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxAttributes))
	}
	size := 0
	for name, v := range attrs {
		if !sqsrules.ValidAttributeName(name) {
			return 0, apiError("InvalidParameterValue", fmt.Sprintf("Message attribute name '%s' is invalid.", name))
		}
		dt := aws.ToString(v.DataType)
		switch {
		case strings.HasPrefix(dt, "String"), strings.HasPrefix(dt, "Number"):
			if aws.ToString(v.StringValue) == "" {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' must contain a non-empty value of type '%s'.", name, dt))
			}
			if !sqsrules.ValidText(aws.ToString(v.StringValue)) {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' contains invalid characters.", name))
			}
		case strings.HasPrefix(dt, "Binary"):
			if len(v.BinaryValue) == 0 {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' must contain a non-empty value of type 'Binary'.", name))
			}
		default:
			return 0, apiError("InvalidParameterValue", fmt.Sprintf(
				"The type of message attribute '%s' is invalid.", name))
		}
		size += len(name) + len(dt) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return size, nil
}
