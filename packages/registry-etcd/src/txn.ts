/**
 * Txn ↔ etcd's TxnRequest / TxnResponse.
 */
import type { Compare, Txn, TxnOp, TxnResponse, TxnResult } from '@fleetd/core';
import type { ICompare, IRequestOp, IResponseOp, ITxnRequest, ITxnResponse } from 'etcd3';
import { prefixRange, toKeyValue, utf8 } from './keys.js';
import { checkCompare, checkOp, invalid } from './validate.js';

const RESULTS = { '==': 'Equal', '!=': 'NotEqual', '<': 'Less', '>': 'Greater' } as const;

/** Validates `txn` and builds the request; the txn's ops, for reading the response. */
export function toTxnRequest(txn: Txn): {
  readonly request: ITxnRequest;
  readonly success: readonly TxnOp[];
  readonly failure: readonly TxnOp[];
} {
  if (typeof txn !== 'object' || txn === null) invalid('txn must be an object');
  const compares = txn.compare ?? [];
  const success = txn.success ?? [];
  const failure = txn.failure ?? [];
  compares.forEach(checkCompare);
  success.forEach(checkOp);
  failure.forEach(checkOp);
  const request: ITxnRequest = {
    compare: compares.map(toCompare),
    success: success.map(toRequestOp),
    failure: failure.map(toRequestOp),
  };
  return { request, success, failure };
}

/** True when no op of either branch writes: the txn may be sent again safely. */
export function isReadOnly(txn: Txn): boolean {
  return [...(txn.success ?? []), ...(txn.failure ?? [])].every((op) => op.type === 'get');
}

export function toTxnResult(response: ITxnResponse, success: readonly TxnOp[], failure: readonly TxnOp[]): TxnResult {
  const ops = response.succeeded ? success : failure;
  return {
    succeeded: response.succeeded,
    revision: Number(response.header.revision),
    responses: ops.map((op, i) => toTxnResponse(op, response.responses[i])),
  };
}

function toCompare(c: Compare): ICompare {
  const base = { key: utf8(c.key), result: RESULTS[c.op] };
  switch (c.target) {
    case 'value':
      return { ...base, target: 'Value', value: utf8(c.value) };
    case 'version':
      return { ...base, target: 'Version', version: c.value };
    case 'createRevision':
      return { ...base, target: 'Create', create_revision: c.value };
    case 'modRevision':
      return { ...base, target: 'Mod', mod_revision: c.value };
  }
}

export function toRequestOp(op: TxnOp): IRequestOp {
  switch (op.type) {
    case 'put':
      return { request_put: { key: utf8(op.key), value: utf8(op.value), lease: op.lease ?? '0' } };
    case 'delete':
      return { request_delete_range: { key: utf8(op.key) } };
    case 'deletePrefix':
      return { request_delete_range: prefixRange(op.prefix) };
    case 'get':
      return { request_range: { key: utf8(op.key) } };
  }
}

function toTxnResponse(op: TxnOp, response: IResponseOp | undefined): TxnResponse {
  switch (op.type) {
    case 'put':
      return { type: 'put' };
    case 'delete':
    case 'deletePrefix':
      return { type: 'delete', deleted: Number(response?.response_delete_range?.deleted ?? 0) };
    case 'get': {
      const kv = response?.response_range?.kvs[0];
      return { type: 'get', kv: kv === undefined ? undefined : toKeyValue(kv) };
    }
  }
}
