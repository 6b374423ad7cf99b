/**
 * An island's side of shareable state. Once the island is mounted, the
 * values for its fields are read, from the `params` it was given (a custom
 * element's attributes) or else from the page's URL, checked against its
 * fields, and handed to `apply` (which sets the island's controls and
 * recomputes); parameters that were refused become a notice. When `params`
 * changes (an attribute set later), the reading is done again.
 *
 * The island writes its current state back as `data-share` on its root, with
 * `writeFields`, which is what the figure's "copy link" and "embed" controls read.
 */
import { untrack } from 'svelte';
import { ignoredNotice, linkParams, readFields, type Fields, type Ignored, type Values } from '../../lib/share';

export class SharedState<F extends Fields> {
  /** What was ignored from the link or the attributes, or ''. */
  notice = $state('');
  /** The parameters refused so far, by reading or by the island. */
  #ignored: Ignored[] = [];

  constructor(demo: string, fields: F, params: () => Readonly<Record<string, string>> | undefined, apply: (values: Values<F>) => void) {
    $effect(() => {
      const given = params();
      const raw = given ?? linkParams(demo, location.search, location.pathname);
      const { values, ignored } = readFields(fields, raw);
      untrack(() => {
        this.#ignored = ignored;
        this.notice = ignoredNotice(ignored);
        if (Object.keys(values).length > 0) apply(values);
      });
    });
  }

  /**
   * Refuses one more parameter, one its field's kind could not check (a token
   * beyond the sentence, a step past the last): the notice says so. Called by
   * the island's `apply`, which then leaves that setting as it was.
   */
  refuse(name: string, reason: string): void {
    this.#ignored = [...this.#ignored, { name, reason }];
    this.notice = ignoredNotice(this.#ignored);
  }

  dismiss(): void {
    this.#ignored = [];
    this.notice = '';
  }
}
