import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { FleetPlugin, MachineView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import metadata, {
  matchesMetadata,
  METADATA_OPERATORS,
  METADATA_OPTION,
  METADATA_OPTIONS,
  metadataCandidates,
  metadataMismatch,
  metadataRequirement,
  metadataVerdict,
  parseMetadataExpression,
  parseMetadataRequirement,
} from '@fleetd/plugin-metadata';
import type { MetadataCondition, MetadataEqualityGroup, MetadataOperator, MetadataRequirement, NumericMetadataOperator } from '@fleetd/plugin-metadata';

expectType<FleetPlugin<undefined>>(metadata);

// The operator list is a readonly tuple of literal operators.
expectType<readonly ['=', '!=', '>=', '>', '<=', '<']>(METADATA_OPERATORS);
expectType<readonly ['MachineMetadata', 'X-ConditionMachineMetadata']>(METADATA_OPTIONS);

// The declared option: its spellings as literal types, no exclusions.
expectAssignable<UnitOptionSpec>(METADATA_OPTION);
expectType<'MachineMetadata'>(METADATA_OPTION.name);
expectType<readonly ['X-ConditionMachineMetadata']>(METADATA_OPTION.aliases);
expectError(METADATA_OPTION.excludes);
expectAssignable<MetadataOperator>('!=');
expectNotAssignable<MetadataOperator>('==');
expectNotAssignable<NumericMetadataOperator>('=');

// Parsing never throws: errors are part of the result.
const requirement = parseMetadataRequirement(['region=us-east-1', 'cpus>=4']);
expectType<MetadataRequirement>(requirement);
expectType<readonly string[]>(requirement.errors);
expectType<string | undefined>(requirement.problem);
expectType<readonly MetadataEqualityGroup[]>(requirement.equals);
expectType<readonly MetadataCondition[]>(requirement.conditions);
expectError(parseMetadataRequirement('region=us-east-1'));
expectError(requirement.errors.push('x'));
expectError(requirement.equals.pop());

// Conditions narrow on their operator.
const condition = requirement.conditions[0] as MetadataCondition;
if (condition.operator === '!=') {
  expectType<string>(condition.reason);
} else {
  expectType<NumericMetadataOperator>(condition.operator);
  expectType<number>(condition.number);
}

const expression = parseMetadataExpression('disk!=hdd');
if (expression.ok) expectType<MetadataOperator>(expression.expression.operator);
else expectType<string>(expression.error);

// Matching takes any string record, such as MachineView.metadata.
declare const machine: MachineView;
expectType<boolean>(matchesMetadata(requirement, machine.metadata));
expectType<boolean>(matchesMetadata(requirement, { region: 'us-east-1' }));
expectError(matchesMetadata(requirement, { cpus: 4 }));
expectType<string | undefined>(metadataMismatch(requirement, machine.metadata));

// Narrowing keeps the machine type of the index it is given.
declare const index: { machinesWithMetadata(key: string, value: string): readonly MachineView[] };
const candidates = metadataCandidates(requirement, index);
if (candidates !== undefined) expectType<readonly MachineView[]>(candidates.machines);
expectType<string | undefined>(metadataVerdict(requirement, machine.metadata, index));

// The requirement is typed on ResolvedUnit.requirements by declaration merging.
declare const unit: ResolvedUnit;
expectType<MetadataRequirement | undefined>(unit.requirements.metadata);
expectType<MetadataRequirement | undefined>(metadataRequirement(unit));
