// The custom requests between the extension and the language server that the webviews use
// (server/src/server.ts answers them). Types only come from the engine.
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LayerTable } from '../../../server/src/engine/layers/estimate';
import type { LocalImage } from '../../../server/src/engine/image/local';

export interface ListImagesResult {
  images: LocalImage[];
  error?: { kind: string; message: string };
}

export function requestLayers(client: LanguageClient, uri: string, req: { stage?: number; image?: string }): Promise<LayerTable | null> {
  return client.sendRequest<LayerTable | null>('containerTuner/layers', { uri, ...req });
}

export function listImages(client: LanguageClient): Promise<ListImagesResult> {
  return client.sendRequest<ListImagesResult>('containerTuner/listImages', {});
}

export function watchImages(client: LanguageClient, enabled: boolean): Promise<unknown> {
  return client.sendRequest('containerTuner/watchImages', { enabled });
}
