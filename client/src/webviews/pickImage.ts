// Quick picks of local images (`docker image ls` through the server).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LocalImage } from '../../../server/src/engine/image/local';
import { listImages } from './protocol';

export interface ImagePickItem extends vscode.QuickPickItem {
  value?: { kind: 'image' | 'path'; target: string };
  browse?: 'archive' | 'folder';
}

export function imageItems(images: LocalImage[]): ImagePickItem[] {
  return images.map((i) => ({
    label: i.ref,
    description: [i.size, i.createdSince].filter(Boolean).join(' · '),
    detail: `${i.id}${i.createdAt ? ` · created ${i.createdAt}` : ''}`,
    value: { kind: 'image', target: i.ref },
  }));
}

/** Local images for a quick pick, or an explanation when Docker did not answer. */
export async function localImageItems(client: LanguageClient): Promise<{ items: ImagePickItem[]; error?: string }> {
  try {
    const r = await listImages(client);
    return { items: imageItems(r.images), error: r.error?.message };
  } catch (e) {
    return { items: [], error: (e as Error)?.message ?? String(e) };
  }
}

/**
 * A filterable quick pick: `extra` first, then the local images, then `tail`. Typing a
 * reference that is not listed and pressing Enter picks it as typed.
 */
export function showImagePick(title: string, itemsP: Promise<{ items: ImagePickItem[]; error?: string }>, extra: ImagePickItem[] = [], tail: ImagePickItem[] = []): Promise<ImagePickItem | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<ImagePickItem>();
    qp.title = title;
    qp.placeholder = 'Filter local images (repo:tag), or type an image reference';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.busy = true;
    qp.items = [...extra, ...tail];
    void itemsP.then(({ items, error }) => {
      const sep = (label: string): ImagePickItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
      const errItem: ImagePickItem[] = error ? [{ label: '$(warning) Docker did not answer', detail: error, alwaysShow: true }] : [];
      qp.items = [...extra, ...(items.length || error ? [sep('local images'), ...items, ...errItem] : []), ...(tail.length ? [sep(''), ...tail] : [])];
      qp.busy = false;
    });
    let done = false;
    qp.onDidAccept(() => {
      const sel = qp.selectedItems[0] ?? qp.activeItems[0];
      const typed = qp.value.trim();
      done = true;
      if (sel && (sel.value || sel.browse)) resolve(sel);
      else if (typed) resolve({ label: typed, value: { kind: 'image', target: typed } });
      else resolve(undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
