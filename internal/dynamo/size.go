package dynamo

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxItemSize is DynamoDB's limit on one item: 400 KB, attribute names and
// values together.
const MaxItemSize = 400 * 1024

// ErrItemTooLarge is returned, before any request, for an item over
// MaxItemSize.
var ErrItemTooLarge = errors.New("item over DynamoDB's 400 KB limit")

// CheckSize returns an error wrapping ErrItemTooLarge and naming what when
// item is over MaxItemSize.
func CheckSize(item map[string]types.AttributeValue, what string) error {
	if n := ItemSize(item); n > MaxItemSize {
		return fmt.Errorf("%s: %w (%d bytes)", what, ErrItemTooLarge, n)
	}
	return nil
}

// ItemSize is the size DynamoDB counts for item: each attribute's name plus
// its value (strings and binaries by length, numbers at most 21 bytes, one
// byte per boolean or null, 3 bytes per list or map plus their elements).
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return min(len(v.Value), 21)
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + ItemSize(v.Value) + len(v.Value)
	}
	return 1
}
