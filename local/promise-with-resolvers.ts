/**
 * `Promise.withResolvers` (ES2024) for Node 20, where it is missing: aws-local-stepfunctions 3 calls it
 * in every Task state (its timeout race) and the project supports Node >= 20 (package.json engines).
 * Node 22 has it, and then this does nothing. The one place the polyfill lives: import this module
 * before running a state machine (local/approval-workflow.ts does).
 */
interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const P = Promise as unknown as { withResolvers?: <T>() => WithResolvers<T> };
if (typeof P.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): WithResolvers<T> {
      let resolve!: WithResolvers<T>["resolve"];
      let reject!: WithResolvers<T>["reject"];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
