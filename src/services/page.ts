/** One page of items in ascending id order, and whether more follow. */
export interface Page<T> {
  readonly items: T[];
  readonly hasNextPage: boolean;
}
