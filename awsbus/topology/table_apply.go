package topology

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableActiveWait bounds how long ApplyTables waits for a created table to
// become ACTIVE.
const tableActiveWait = 2 * time.Minute

// ApplyTables does with tables what mode says, as Apply does with queues:
// ProvisionCreate creates each missing table (on-demand capacity, its TTL
// enabled, tags) and waits until it is active, enables a TTL that is off,
// adds the tags a table lacks (keeping a value another service set), and
// fails with a *DriftError on a table whose keys differ (a store could not
// use it);
// ProvisionValidate changes nothing and fails with a *DriftError naming every
// missing table and every difference (key schema, billing mode, TTL, tags);
// ProvisionAssume checks nothing. tags may be nil.
func ApplyTables(ctx context.Context, api TablesAPI, mode Provisioning, tags map[string]string, tables ...Table) error {
	switch mode {
	case ProvisionAssume:
		return nil
	case ProvisionValidate:
		var report DriftReport
		for _, t := range tables {
			if err := validateTable(ctx, api, t, tags, &report); err != nil {
				return err
			}
		}
		if !report.OK() {
			return &DriftError{Report: report}
		}
		return nil
	case ProvisionCreate:
		for _, t := range tables {
			if err := createTable(ctx, api, t, tags); err != nil {
				return err
			}
			if err := keysMatch(ctx, api, t); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: provisioning %s", ErrInvalidConfig, mode)
}

// createTable creates t with tags when it is missing, waits until it is
// active, enables its time to live and writes the tags an existing table
// lacks.
func createTable(ctx context.Context, api TablesAPI, t Table, tags map[string]string) error {
	in := t.createInput()
	if len(tags) > 0 {
		in.Tags = dynamoTags(tags)
	}
	_, err := api.CreateTable(ctx, in)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("topology: create table %s: %w", t.Name, err)
	}
	w := dynamodb.NewTableExistsWaiter(api, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 2*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)}, tableActiveWait); err != nil {
		return fmt.Errorf("topology: table %s did not become active: %w", t.Name, err)
	}
	if err := enableTTL(ctx, api, t); err != nil || len(tags) == 0 {
		return err
	}
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	if err != nil {
		return fmt.Errorf("topology: describe table %s: %w", t.Name, err)
	}
	return tagTable(ctx, api, t.Name, aws.ToString(out.Table.TableArn), tags)
}

// enableTTL turns on the time to live of t when it is off.
func enableTTL(ctx context.Context, api TablesAPI, t Table) error {
	if t.TTLAttribute == "" {
		return nil
	}
	on, attr, err := tableTTL(ctx, api, t.Name)
	if err != nil || (on && attr == t.TTLAttribute) {
		return err
	}
	_, err = api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(t.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("topology: enable time to live on table %s: %w", t.Name, err)
	}
	return nil
}

// keysMatch fails with a *DriftError when an existing table's key schema is
// not t's: Create cannot change it, and the stores would fail on every
// request.
func keysMatch(ctx context.Context, api TablesAPI, t Table) error {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	if err != nil {
		return fmt.Errorf("topology: describe table %s: %w", t.Name, err)
	}
	if got, want := keySchema(out.Table), t.keys(); !slices.Equal(got, want) {
		var report DriftReport
		report.add("table", t.Name, "key schema is %s, want %s (a table's keys cannot change in place)", formatKeys(got), formatKeys(want))
		return &DriftError{Report: report}
	}
	return nil
}

func (t Table) createInput() *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, k := range t.keys() {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(k.name), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(k.name), KeyType: k.kind})
	}
	return in
}

type tableKey struct {
	name string
	kind types.KeyType
}

func (t Table) keys() []tableKey {
	keys := []tableKey{{t.PartitionKey, types.KeyTypeHash}}
	if t.SortKey != "" {
		keys = append(keys, tableKey{t.SortKey, types.KeyTypeRange})
	}
	return keys
}

func validateTable(ctx context.Context, api TablesAPI, t Table, tags map[string]string, report *DriftReport) error {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		report.add("table", t.Name, "missing")
		return nil
	}
	if err != nil {
		return fmt.Errorf("topology: describe table %s: %w", t.Name, err)
	}
	desc := out.Table
	if got, want := keySchema(desc), t.keys(); !slices.Equal(got, want) {
		report.add("table", t.Name, "key schema is %s, want %s", formatKeys(got), formatKeys(want))
	}
	if mode := billingMode(desc); mode != types.BillingModePayPerRequest {
		report.add("table", t.Name, "billing mode is %s, want %s", mode, types.BillingModePayPerRequest)
	}
	if len(tags) > 0 {
		have, err := tableTags(ctx, api, t.Name, aws.ToString(desc.TableArn))
		if err != nil {
			return err
		}
		reportTagDiff(report, "table", t.Name, tags, have)
	}
	if t.TTLAttribute == "" {
		return nil
	}
	on, attr, err := tableTTL(ctx, api, t.Name)
	if err != nil {
		return err
	}
	if !on || attr != t.TTLAttribute {
		report.add("table", t.Name, "time to live is not enabled on attribute %s", t.TTLAttribute)
	}
	return nil
}

func keySchema(desc *types.TableDescription) []tableKey {
	var keys []tableKey
	for _, k := range desc.KeySchema {
		keys = append(keys, tableKey{aws.ToString(k.AttributeName), k.KeyType})
	}
	slices.SortFunc(keys, func(a, b tableKey) int { // HASH before RANGE
		if a.kind == b.kind {
			return 0
		}
		if a.kind == types.KeyTypeHash {
			return -1
		}
		return 1
	})
	return keys
}

func formatKeys(keys []tableKey) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += k.name + " " + string(k.kind)
	}
	return "(" + s + ")"
}

// billingMode is the table's billing mode; a table described without one
// was created with provisioned capacity.
func billingMode(desc *types.TableDescription) types.BillingMode {
	if desc.BillingModeSummary == nil || desc.BillingModeSummary.BillingMode == "" {
		return types.BillingModeProvisioned
	}
	return desc.BillingModeSummary.BillingMode
}

func tableTTL(ctx context.Context, api TablesAPI, name string) (on bool, attr string, err error) {
	out, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return false, "", fmt.Errorf("topology: describe time to live of table %s: %w", name, err)
	}
	d := out.TimeToLiveDescription
	if d == nil {
		return false, "", nil
	}
	on = d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling
	return on, aws.ToString(d.AttributeName), nil
}
