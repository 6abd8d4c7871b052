import { Deadline, within } from '../../../lambda/shared/deadline';

describe('within', () => {
  it('gives the value when it comes in time', async () => {
    await expect(within(Promise.resolve(3), 100)).resolves.toBe(3);
  });

  it('gives undefined when time is up, and drops a rejection that comes later', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const late = new Promise((_resolve, reject) => setTimeout(() => reject(new Error('too late')), 20));
      await expect(within(late, 1)).resolves.toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('passes on a rejection that comes in time', async () => {
    await expect(within(Promise.reject(new Error('no')), 100)).rejects.toThrow('no');
  });
});

describe('Deadline', () => {
  it('counts down from its start, less what is reserved, never below 0', () => {
    let now = 1_000;
    const deadline = Deadline.after(500, 1_000, () => now);
    expect(deadline.remaining()).toBe(500);
    expect(deadline.remaining(200)).toBe(300);
    now = 1_400;
    expect(deadline.remaining(200)).toBe(0);
    expect(deadline.remaining()).toBe(100);
  });
});
