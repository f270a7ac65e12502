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
// enabled, tags) and waits until it is active, enables a TTL that is off
// (leaving one that is on for another attribute, which validate mode
// reports as kept), adds the tags a table lacks (keeping a value another
// service set), and fails with a *DriftError on a table whose keys differ
// (a store could not use it), to which it writes nothing;
// ProvisionValidate changes nothing and fails with a *DriftError naming every
// missing table and every difference (key schema, billing mode, TTL, tags);
// ProvisionAssume changes nothing and reads only each table's description
// (dynamodb:DescribeTable): it fails on a missing table (ErrNotFound) and
// with a *DriftError on a table whose keys differ (see assumeTables). tags
// may be nil.
func ApplyTables(ctx context.Context, api TablesAPI, mode Provisioning, tags map[string]string, tables ...Table) error {
	switch mode {
	case ProvisionAssume:
		return assumeTables(ctx, api, tables)
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
		}
		return nil
	}
	return fmt.Errorf("%w: provisioning %s", ErrInvalidConfig, mode)
}

// createTable creates t with tags when it is missing, waits until it is
// active and, when the table has t's keys, enables its time to live and
// writes the tags it lacks. A table with other keys, made elsewhere (another
// application's table of the same name, say), is left as it is, since a
// time to live could delete its items: createTable fails with a
// *DriftError, as Create cannot change a table's keys and the stores would
// fail on every request.
func createTable(ctx context.Context, api TablesAPI, t Table, tags map[string]string) error {
	if err := makeTable(ctx, api, t, tags); err != nil {
		return err
	}
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	if err != nil {
		return fmt.Errorf("topology: describe table %s: %w", t.Name, err)
	}
	var report DriftReport
	if !t.sameKeys(out.Table, &report, " (a table's keys cannot change in place)") {
		return &DriftError{Report: report}
	}
	if err := enableTTL(ctx, api, t); err != nil || len(tags) == 0 {
		return err
	}
	return tagTable(ctx, api, t.Name, aws.ToString(out.Table.TableArn), tags)
}

// makeTable creates t with tags when it is missing and waits until it is
// active.
func makeTable(ctx context.Context, api TablesAPI, t Table, tags map[string]string) error {
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
	return nil
}

// enableTTL turns on the time to live of t when it is off. One that is on
// for another attribute is left as it is (DynamoDB refuses to move it
// while it is on, and moving it would change which items expire);
// validateTable reports it as kept. So is one being turned off, which
// DynamoDB refuses to turn on again until it is off (up to an hour).
func enableTTL(ctx context.Context, api TablesAPI, t Table) error {
	if t.TTLAttribute == "" {
		return nil
	}
	status, _, err := tableTTL(ctx, api, t.Name)
	if err != nil || status != types.TimeToLiveStatusDisabled {
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

// sameKeys reports whether desc has t's key schema: the same key names,
// each a string (a key whose type desc does not give is not compared);
// otherwise it adds the difference to report, followed by why.
func (t Table) sameKeys(desc *types.TableDescription, report *DriftReport, why string) bool {
	got, want := keySchema(desc), t.keys()
	if slices.EqualFunc(got, want, tableKey.matches) {
		return true
	}
	report.add("table", t.Name, "key schema is %s, want %s%s", formatKeys(got), formatKeys(want), why)
	return false
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

// tableKey is a key attribute: its name, HASH or RANGE, and its type (S, N
// or B; empty when a description does not give it).
type tableKey struct {
	name string
	kind types.KeyType
	typ  types.ScalarAttributeType
}

// matches reports whether k, a key of a table's description, is want.
func (k tableKey) matches(want tableKey) bool {
	return k.name == want.name && k.kind == want.kind && (k.typ == "" || k.typ == want.typ)
}

func (t Table) keys() []tableKey {
	keys := []tableKey{{t.PartitionKey, types.KeyTypeHash, types.ScalarAttributeTypeS}}
	if t.SortKey != "" {
		keys = append(keys, tableKey{t.SortKey, types.KeyTypeRange, types.ScalarAttributeTypeS})
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
	t.sameKeys(desc, report, "")
	if mode := billingMode(desc); mode != types.BillingModePayPerRequest {
		report.add("table", t.Name, "billing mode is %s, want %s", mode, types.BillingModePayPerRequest)
	}
	if len(tags) > 0 {
		have, err := tableTags(ctx, api, t.Name, aws.ToString(desc.TableArn))
		if err != nil {
			return err
		}
		reportTagDiff(report, "table", t.Name, tags, have, true)
	}
	if t.TTLAttribute == "" {
		return nil
	}
	status, attr, err := tableTTL(ctx, api, t.Name)
	if err != nil {
		return err
	}
	switch {
	case status == types.TimeToLiveStatusDisabling:
		report.keep("table", t.Name, "time to live is being disabled on attribute %s: DynamoDB refuses to enable it "+
			"on %s until `aws dynamodb describe-time-to-live --table-name %s` says DISABLED (up to an hour); apply again then",
			attr, t.TTLAttribute, t.Name)
	case status == types.TimeToLiveStatusDisabled:
		report.add("table", t.Name, "time to live is not enabled on attribute %s", t.TTLAttribute)
	case attr != t.TTLAttribute:
		report.keep("table", t.Name, "%s", otherTTL(t, attr))
	}
	return nil
}

// otherTTL is the problem of table t whose time to live is on attribute
// attr, not on t.TTLAttribute: Create leaves it (see enableTTL). Until it
// moves, no item expires by t.TTLAttribute. DynamoDB refuses to turn a
// time to live on while turning it off runs (up to an hour).
func otherTTL(t Table, attr string) string {
	return fmt.Sprintf("time to live is enabled on attribute %s, want %[2]s: apply leaves it, as a table has one "+
		"time to live attribute and moving it changes which items expire; until it moves, DynamoDB deletes no item "+
		"by %[2]s, so the table keeps what expired; to move it, disable it (`aws dynamodb update-time-to-live "+
		"--table-name %[3]s --time-to-live-specification Enabled=false,AttributeName=%[1]s`), wait until `aws "+
		"dynamodb describe-time-to-live --table-name %[3]s` says DISABLED (up to an hour; DynamoDB refuses another "+
		"change before) and apply again (a store in create mode applies when it starts)", attr, t.TTLAttribute, t.Name)
}

// keySchema returns the keys of desc, the partition key first; a nil desc
// has none.
func keySchema(desc *types.TableDescription) []tableKey {
	if desc == nil {
		return nil
	}
	typeOf := map[string]types.ScalarAttributeType{}
	for _, d := range desc.AttributeDefinitions {
		typeOf[aws.ToString(d.AttributeName)] = d.AttributeType
	}
	var keys []tableKey
	for _, k := range desc.KeySchema {
		name := aws.ToString(k.AttributeName)
		keys = append(keys, tableKey{name, k.KeyType, typeOf[name]})
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
		if k.typ != "" {
			s += " " + string(k.typ)
		}
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

// tableTTL is the status and attribute of table name's time to live; one
// described without a status is disabled.
func tableTTL(ctx context.Context, api TablesAPI, name string) (status types.TimeToLiveStatus, attr string, err error) {
	out, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return "", "", fmt.Errorf("topology: describe time to live of table %s: %w", name, err)
	}
	d := out.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus == "" {
		return types.TimeToLiveStatusDisabled, "", nil
	}
	return d.TimeToLiveStatus, aws.ToString(d.AttributeName), nil
}
