package dynamostore_test

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// capacity estimates the capacity units a request consumes on DynamoDB by
// its published rules: a strongly consistent read costs one read unit per
// 4 KB read (at least one), a write one write unit per 1 KB written, and a
// transactional write twice that per item. The emulator's own reports are
// not used: moto does not account for transactions. Updates, deletes and
// condition checks are counted as one unit per item (the stores' items of
// that kind are under 1 KB).
func capacity(in, out any) (rcu, wcu float64) {
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		if o, ok := out.(*dynamodb.GetItemOutput); ok {
			return units(dynamo.ItemSize(o.Item), 4096), 0
		}
	case *dynamodb.QueryInput:
		if o, ok := out.(*dynamodb.QueryOutput); ok {
			size := 0
			for _, it := range o.Items {
				size += dynamo.ItemSize(it)
			}
			return units(size, 4096), 0
		}
	case *dynamodb.PutItemInput:
		return 0, units(dynamo.ItemSize(in.Item), 1024)
	case *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
		return 0, 1
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			if it.Put != nil {
				wcu += 2 * units(dynamo.ItemSize(it.Put.Item), 1024)
			} else {
				wcu += 2
			}
		}
	}
	return rcu, wcu
}

// units rounds size up to whole units of unit bytes, at least one.
func units(size, unit int) float64 {
	return float64(max(1, (size+unit-1)/unit))
}
