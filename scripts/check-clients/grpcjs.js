// Calls a running qbank with Node's grpc-js (compression on) and
// proto-loader, as the assessment platform's Node services would:
//   node grpcjs.js ADDR TOKEN PROTO_DIR DEPS_DIR
'use strict';
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [addr, token, protoDir, depsDir] = process.argv.slice(2);
const def = loader.loadSync('layersrank/questionbank/v1/questionbank.proto', {
  includeDirs: [protoDir, depsDir], longs: String, enums: String, defaults: false, oneofs: true,
});
const v1 = grpc.loadPackageDefinition(def).layersrank.questionbank.v1;
// 2 is gzip: every request is compressed, and the server answers in kind.
const client = new v1.QuestionBankService(addr, grpc.credentials.createInsecure(), {
  'grpc.default_compression_algorithm': 2,
  'grpc.default_compression_level': 2,
});
const md = new grpc.Metadata();
md.set('authorization', 'Bearer ' + token);

const unary = (method, req) => new Promise((resolve, reject) =>
  client[method](req, md, (err, res) => (err ? reject(err) : resolve(res))));

function check(cond, what) {
  if (!cond) throw new Error('grpc-js: ' + what);
  console.log('grpc-js: ok ' + what);
}

(async () => {
  const got = await unary('GetQuestion', { id: 'api-rate-limiting-design' });
  check(got.question && got.question.id === 'api-rate-limiting-design', 'GetQuestion with gzip');
  const page = await unary('ListQuestions', { pageSize: 100, view: 'QUESTION_VIEW_FULL' });
  check(page.questions.length === Math.min(page.totalSize || 0, 100) && page.questions.every((q) => q.whatItReveals),
    'ListQuestions FULL, a page of ' + page.questions.length);
  let all = 0;
  for (const state of ['STATE_ACTIVE', 'STATE_DRAFT', 'STATE_RETIRED']) {
    all += (await unary('ListQuestions', { pageSize: 1, state })).totalSize || 0;
  }
  const a = await unary('AssembleAssessment', { role: 'backend-engineer', stacks: ['golang'], seed: '7' });
  check(a.items.length > 0 && a.seed === '7', 'AssembleAssessment');
  try {
    await unary('GetQuestion', { id: 'no-such-question' });
    check(false, 'GetQuestion of an unknown id fails');
  } catch (err) {
    check(err.code === grpc.status.NOT_FOUND && err.metadata.get('grpc-status-details-bin').length === 1,
      'NotFound with rich error details');
  }
  const lines = await new Promise((resolve, reject) => {
    let n = 0;
    const call = client.ExportQuestionBank({}, md);
    call.on('data', () => { n++; });
    call.on('error', reject);
    call.on('end', () => resolve(n));
  });
  check(lines === all + 1, 'ExportQuestionBank streams a header and ' + all + ' questions');
  client.close();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
