import * as model from './index';
it('loads', () => { expect(typeof model).toBe('object'); });
