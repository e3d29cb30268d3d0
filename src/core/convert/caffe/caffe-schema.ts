// Generated from scripts/schemas/caffe.proto by `npm run gen:schemas`; do not edit.
import type { INamespace } from 'protobufjs';

export const CAFFE_SCHEMA: INamespace = {
  nested: {
    caffe: {
      nested: {
        BlobShape: {
          edition: 'proto2',
          fields: { dim: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } } },
        },
        BlobProto: {
          edition: 'proto2',
          fields: {
            shape: { type: 'BlobShape', id: 7 },
            data: { type: 'bytes', id: 5 },
            double_data: { type: 'bytes', id: 8 },
            num: { type: 'int64', id: 1 },
            channels: { type: 'int64', id: 2 },
            height: { type: 'int64', id: 3 },
            width: { type: 'int64', id: 4 },
          },
        },
        LayerParameter: {
          edition: 'proto2',
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'string', id: 2 },
            blobs: { rule: 'repeated', type: 'BlobProto', id: 7 },
          },
        },
        V1LayerParameter: {
          edition: 'proto2',
          fields: {
            name: { type: 'string', id: 4 },
            type: { type: 'int32', id: 5 },
            blobs: { rule: 'repeated', type: 'BlobProto', id: 6 },
          },
        },
        NetParameter: {
          edition: 'proto2',
          fields: {
            name: { type: 'string', id: 1 },
            layers: { rule: 'repeated', type: 'V1LayerParameter', id: 2 },
            layer: { rule: 'repeated', type: 'LayerParameter', id: 100 },
          },
        },
      },
    },
  },
};
