/** One page of a keyset list: what every list procedure of the API answers. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/**
 * A list procedure as the client exposes it: a query whose input takes `cursor` and whose
 * output is a page. Structural, so every list the router has or gains fits without listing it.
 */
export interface ListProcedure<TInput, TItem> {
  query: (input: TInput) => Promise<Page<TItem>>;
}

/** A list's input without the cursor: its filters, sort and `limit` (the page size). */
export type PageFilters<TInput> = Omit<Exclude<TInput, void | undefined>, "cursor">;

/**
 * Every item of a keyset list, fetched page by page as you iterate (stop early and no further
 * page is fetched):
 *
 *     for await (const space of paginate(client.directory.listSpaces, { limit: 100 })) ...
 *
 * A procedure that is not a list (no `cursor` in its input, or no page as its output) is a
 * type error. The filters may be left out when the list needs none.
 */
export function paginate<TInput extends { cursor?: string } | void | undefined, TItem>(
  procedure: ListProcedure<TInput, TItem>,
  ...[filters]: object extends PageFilters<TInput> ? [filters?: PageFilters<TInput>] : [filters: PageFilters<TInput>]
): AsyncIterable<TItem> {
  return pages(procedure, filters);
}

async function* pages<TInput, TItem>(procedure: ListProcedure<TInput, TItem>, filters: object | undefined) {
  let cursor: string | undefined;
  do {
    const page = await procedure.query({ ...filters, cursor } as TInput);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
